namespace Orchestrate.Remote.Testbed;

/// <summary>How <see cref="LoopbackTestbed.StartAsync"/> lays out the loopback SSH hosts.</summary>
public sealed record LoopbackTestbedOptions
{
    /// <summary>How many hosts (one sshd each) to start. Default 3.</summary>
    public int Hosts { get; init; } = 3;

    /// <summary>
    /// The TCP port every sshd listens on. Default 2222. <c>0</c> picks one port that is free on
    /// every host address (what tests use, so that two test runs on one machine do not collide).
    /// </summary>
    public int Port { get; init; } = 2222;

    /// <summary>The unprivileged account the hosts accept; created if missing. Default <c>orchestrate</c>.</summary>
    public string User { get; init; } = "orchestrate";

    /// <summary>More unprivileged accounts the hosts accept with the same key (created if missing), for
    /// steps that log in as another user (<c>[RemoteStep(..., User = "...")]</c>). Default: none.</summary>
    public IReadOnlyList<string> ExtraUsers { get; init; } = [];

    /// <summary>Users among <see cref="ExtraUsers"/> given passwordless sudo for the testbed's lifetime
    /// (a file in /etc/sudoers.d, removed on dispose; needs the sudo package), to test steps with
    /// <c>Sudo = true</c>. Default: none.</summary>
    public IReadOnlyList<string> SudoUsers { get; init; } = [];

    /// <summary>The address of <c>node1</c>; the next hosts take the following addresses. Must be in 127.0.0.0/8.</summary>
    public string FirstAddress { get; init; } = "127.0.0.2";

    /// <summary>
    /// Where keys, configurations and logs go. <see langword="null"/> (default): a new temporary
    /// directory, deleted by <see cref="LoopbackTestbed.DisposeAsync"/>. A directory given here is
    /// created if needed and left in place (with its logs) on dispose. It must be traversable by
    /// <see cref="User"/>, which reads the authorized key file from it.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>How long one host may take to accept SSH connections before the start fails. Default 10 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
