namespace Orchestrate.Remote;

/// <summary>A command to run on a host, through <c>/bin/sh -c</c> there.</summary>
/// <param name="Script">The command line, as typed in a shell on the host.</param>
public sealed record RemoteCommand(string Script)
{
    /// <summary>Working directory on the host; null: the login directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set for the command.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Kill the command (its whole process group on the host) past this time.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Run it through <c>sudo -n</c> (no password prompt: a missing sudo rule fails at once).</summary>
    public bool Sudo { get; init; }

    /// <summary>Exit codes that count as success.</summary>
    public IReadOnlyList<int> AllowedExitCodes { get; init; } = [0];
}

/// <summary>A host could not be reached or refused the login: every step on it is reported unreachable.</summary>
public sealed class HostUnreachableException(string host, string reason, Exception? inner = null)
    : Exception($"host {host} is unreachable: {reason}", inner)
{
    /// <summary>The host.</summary>
    public string Host { get; } = host;

    /// <summary>Why, in OpenSSH's words when it gave some.</summary>
    public string Reason { get; } = reason;
}
