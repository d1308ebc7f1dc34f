namespace Orchestrate.Remote.Testbed;

/// <summary>One SSH host of a <see cref="LoopbackTestbed"/>: its own sshd on a loopback address.</summary>
/// <param name="Name">The host's name in the testbed: <c>node1</c>, <c>node2</c>, ...</param>
/// <param name="Address">The loopback address its sshd listens on, e.g. <c>127.0.0.2</c>.</param>
/// <param name="Port">The TCP port its sshd listens on.</param>
/// <param name="User">The unprivileged account to log in as.</param>
public sealed record TestbedHost(string Name, string Address, int Port, string User)
{
    /// <summary>The <c>user@address</c> destination an <c>ssh</c> command line takes.</summary>
    public string Destination => $"{User}@{Address}";
}
