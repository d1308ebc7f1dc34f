namespace Orchestrate.Remote.Testbed;

/// <summary>
/// The loopback testbed could not be started. The message is one line that says why
/// (e.g. <c>not root</c>, <c>sshd not installed: apt-get install openssh-server</c>,
/// <c>port 2222 busy on 127.0.0.2</c>); <see cref="Details"/> holds the sshd log tail when there is one.
/// </summary>
public sealed class TestbedUnavailableException : Exception
{
    /// <summary>Creates the exception with a one-line reason.</summary>
    public TestbedUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line reason and the error that caused it.</summary>
    public TestbedUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a one-line reason, more detail and whether a prerequisite is missing.</summary>
    public TestbedUnavailableException(string message, string? details, bool missingPrerequisite)
        : base(message)
    {
        Details = details;
        MissingPrerequisite = missingPrerequisite;
    }

    /// <summary>Creates the exception with no message (prefer a one-line reason).</summary>
    public TestbedUnavailableException() : base("loopback SSH testbed unavailable") { }

    /// <summary>
    /// <see langword="true"/> when the machine lacks something the testbed needs (not root, not Linux,
    /// OpenSSH not installed); <see langword="false"/> when it had everything and still failed to start
    /// (busy port, an sshd that did not come up, a login that was refused).
    /// </summary>
    public bool MissingPrerequisite { get; }

    /// <summary>Multi-line detail, such as the tail of an sshd log; <see langword="null"/> if none.</summary>
    public string? Details { get; }

    /// <inheritdoc />
    public override string ToString() =>
        Details is null ? base.ToString() : base.ToString() + Environment.NewLine + Details;
}
