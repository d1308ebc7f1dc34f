namespace Orchestrate;

/// <summary>A remote step of a host task (<see cref="RemoteStepAttribute"/>).</summary>
/// <param name="Command">The command line, before substitution.</param>
public sealed record RemoteStepSpec(string Command)
{
    /// <summary>Log in as this user; null: the host's user.</summary>
    public string? User { get; init; }

    /// <summary>Run through <c>sudo -n</c>.</summary>
    public bool Sudo { get; init; }

    /// <summary>Kill it past this time.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Exit codes that count as success.</summary>
    public IReadOnlyList<int> AllowedExitCodes { get; init; } = [0];

    /// <summary>Working directory on the host.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>Files shipped to each host (<see cref="ShipAttribute"/>).</summary>
/// <param name="Local">Local path or glob.</param>
/// <param name="RemoteDirectory">Directory on the host.</param>
public sealed record ShipSpec(string Local, string RemoteDirectory);

/// <summary>A file fetched from each host (<see cref="FetchAttribute"/>).</summary>
/// <param name="RemotePath">The file on the host.</param>
/// <param name="LocalDirectory">The local directory.</param>
public sealed record FetchSpec(string RemotePath, string LocalDirectory);
