namespace Orchestrate;

/// <summary>
/// What a host task's method sees: its host, and commands and files on it. <see cref="TaskContext.Run(string[])"/>
/// and <see cref="TaskContext.Shell"/> run <b>on the host</b>, through the run's one connection to it;
/// <see cref="Local"/> runs things on this machine.
/// </summary>
public abstract class RemoteContext : TaskContext
{
    /// <summary>The host's name in the inventory.</summary>
    public abstract string HostName { get; }

    /// <summary>The address connected to.</summary>
    public abstract string Address { get; }

    /// <summary>The SSH user of this context.</summary>
    public abstract string? User { get; }

    /// <summary>The host's variables from the inventory.</summary>
    public abstract IReadOnlyDictionary<string, string> Vars { get; }

    /// <summary>In a sub sequence (<see cref="SubSequenceOfAttribute"/>), the item it works on; null elsewhere.</summary>
    public virtual string? Item => null;

    /// <summary>The same host, logged in as another user (one connection per host and user).</summary>
    public abstract RemoteContext As(string user);

    /// <summary>A context for commands on this machine.</summary>
    public abstract TaskContext Local { get; }

    /// <summary>Runs a command line on the host through <c>sudo -n</c>.</summary>
    public abstract Task<CommandResult> Sudo(string command, RunOptions? options = null);

    // Paths given to Ship, Fetch, ReadFile and Exists are taken as they are: a name with braces is a name with braces.
    // To put {host} or a host variable in one, pass it through Substitute first.

    /// <summary>Sends local files (a path or a glob) into a directory on the host, skipping files the host already has.
    /// Paths are literal: <c>{host}</c> and variables are not replaced (use <see cref="Substitute"/>).</summary>
    /// <returns>The number of files sent.</returns>
    public abstract Task<int> Ship(string local, string remoteDirectory);

    /// <summary>Brings a file from the host into a local directory, atomically, under the remote file's name (which
    /// must stay inside that directory: a name such as <c>..</c> fails the fetch). Paths are literal.</summary>
    /// <returns>The local path, or null when the remote file does not exist.</returns>
    public abstract Task<string?> Fetch(string remotePath, string localDirectory);

    /// <summary>Reads a text file on the host (UTF-8): its content exactly, line endings included. The path is literal.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public abstract Task<string> ReadFile(string remotePath);

    /// <summary>True when the path exists on the host. The path is literal.</summary>
    public abstract Task<bool> Exists(string remotePath);

    /// <summary>Replaces <c>{host}</c>, <c>{address}</c> and host variables in a text.</summary>
    public abstract string Substitute(string text);
}
