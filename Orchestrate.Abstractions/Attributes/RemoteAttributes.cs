namespace Orchestrate;

/// <summary>
/// The task runs on every host the pattern selects from the inventory: a host, a group, a glob
/// (<c>web*</c>), several joined by <c>,</c>, <c>!</c> to exclude, <c>&amp;</c> to intersect. It becomes one
/// node per host (<c>deploy:web1</c>, <c>deploy:web2</c>) plus the task itself, which waits for all of them.
/// A host task that depends on another host task waits only for that task on the same host.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class HostsAttribute : Attribute
{
    /// <summary>Selects the hosts.</summary>
    public HostsAttribute(string pattern) => Pattern = pattern;

    /// <summary>The host pattern.</summary>
    public string Pattern { get; }
}

/// <summary>A host task that waits for its host-task dependencies on every host, not just its own.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class BarrierAttribute : Attribute;

/// <summary>
/// A command run on each host of the task, in declaration order, before the method's body. It runs
/// through <c>/bin/sh -c</c> on the host; <c>{host}</c>, <c>{address}</c> and host variables
/// (<c>{port}</c>) are substituted, each value quoted for the shell.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class RemoteStepAttribute : Attribute
{
    /// <summary>Declares the command.</summary>
    public RemoteStepAttribute(string command) => Command = command;

    /// <summary>The command line.</summary>
    public string Command { get; }

    /// <summary>Log in as this user for the step (one connection per host and user).</summary>
    public string? User { get; set; }

    /// <summary>Run through <c>sudo -n</c>.</summary>
    public bool Sudo { get; set; }

    /// <summary>Kill the command (and everything it started on the host) after this many seconds; 0: no limit.</summary>
    public int TimeoutSeconds { get; set; }

    /// <summary>Exit codes that count as success; default: 0 only.</summary>
    public int[]? AllowedExitCodes { get; set; }

    /// <summary>Working directory on the host.</summary>
    public string? WorkingDirectory { get; set; }
}

/// <summary>
/// Local files (a path or a glob) sent into a directory on each host before the remote steps, all in
/// one stream. Each file is a file dep of the task and its remote copy a target: a file already on the
/// host with the same content is not sent again.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class ShipAttribute : Attribute
{
    /// <summary>Declares the files to send and where.</summary>
    public ShipAttribute(string local, string remoteDirectory)
    {
        Local = local;
        RemoteDirectory = remoteDirectory;
    }

    /// <summary>The local file or glob, relative to the project directory.</summary>
    public string Local { get; }

    /// <summary>The directory on the host (created if missing).</summary>
    public string RemoteDirectory { get; }
}

/// <summary>A file brought back from each host after the remote steps, into a local directory
/// (<c>logs/{host}/</c>), written atomically.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class FetchAttribute : Attribute
{
    /// <summary>Declares the file to fetch and where it goes.</summary>
    public FetchAttribute(string remotePath, string localDirectory)
    {
        RemotePath = remotePath;
        LocalDirectory = localDirectory;
    }

    /// <summary>The file on the host.</summary>
    public string RemotePath { get; }

    /// <summary>The local directory, relative to the project directory.</summary>
    public string LocalDirectory { get; }
}

/// <summary>Paths on the host that the task makes: a missing one makes the task out of date on that host.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class RemoteTargetsAttribute : Attribute
{
    /// <summary>Declares the remote targets.</summary>
    public RemoteTargetsAttribute(params string[] paths) => Paths = paths;

    /// <summary>The paths on the host.</summary>
    public string[] Paths { get; }
}
