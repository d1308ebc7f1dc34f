namespace Orchestrate.Remote;

/// <summary>How host keys are checked when connecting.</summary>
public enum HostKeyChecking
{
    /// <summary>As the user's OpenSSH configuration says (by default: a key must already be known).</summary>
    Default,

    /// <summary>Accept the key of a host seen for the first time and remember it; refuse a changed key.</summary>
    AcceptNew,

    /// <summary>Refuse any host whose key is not already known.</summary>
    Strict,
}

/// <summary>One host of the inventory: where it is, how to log in, and its variables.</summary>
public sealed record HostSpec
{
    /// <summary>The name used in task names (<c>deploy:web1</c>) and <c>--limit</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Address or DNS name; default: the name.</summary>
    public string? Address { get; init; }

    /// <summary>SSH port; null: as the SSH configuration says (22).</summary>
    public int? Port { get; init; }

    /// <summary>Login user; null: as the SSH configuration says.</summary>
    public string? User { get; init; }

    /// <summary>Private key file; null: the agent and the SSH configuration.</summary>
    public string? IdentityFile { get; init; }

    /// <summary>A known_hosts file used besides the user's own.</summary>
    public string? KnownHostsFile { get; init; }

    /// <summary>Host key policy; never turned off silently.</summary>
    public HostKeyChecking HostKeyChecking { get; init; }

    /// <summary>More <c>ssh</c> arguments, passed as they are (for example <c>-o</c>, <c>ProxyJump=bastion</c>).</summary>
    public IReadOnlyList<string> SshArguments { get; init; } = [];

    /// <summary>Seconds to wait for the connection; default 10.</summary>
    public int ConnectTimeoutSeconds { get; init; } = 10;

    /// <summary>Channels opened at once on this host's connection; stays under the server's MaxSessions (10 by default).</summary>
    public int MaxChannels { get; init; } = 8;

    /// <summary>Variables, substituted in commands and paths as <c>{name}</c>.</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    /// <summary>The groups the host belongs to.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>The address to connect to.</summary>
    public string Target => Address ?? Name;

    /// <inheritdoc />
    public override string ToString() => Name;
}
