using System.Collections.Concurrent;

namespace Orchestrate.Remote.OpenSsh;

/// <summary>
/// The OpenSSH client as transport, as Ansible and execo use it: one master connection per (host, user)
/// with ControlMaster, and every command, shell and file stream multiplexed over it, so a host pays for
/// one key exchange and one authentication per run. <c>BatchMode=yes</c> (never a prompt), a connect
/// timeout, and the user's <c>~/.ssh/config</c> and agent are honoured; host key checking stays as
/// configured unless the inventory opts into <c>accept-new</c>.
/// </summary>
public sealed class OpenSshTransport : IRemoteTransport
{
    private readonly ConcurrentDictionary<(string Host, string? User), Lazy<Task<OpenSshConnection>>> _connections = new();
    private readonly string _controlDirectory;
    private int _next;

    /// <summary>Creates the transport; control sockets go in a private temporary directory, and every connection
    /// closes when the transport is disposed.</summary>
    public OpenSshTransport()
        : this(null)
    {
    }

    /// <summary>
    /// Creates the transport. With <paramref name="persist"/>, each master connection stays open that long after the
    /// run (OpenSSH's ControlPersist) and the next run reuses it without a new key exchange or login: its control
    /// socket is named after the host, port, user and ssh options, in <c>~/.orchestrate/cp</c> (private to the user).
    /// </summary>
    public OpenSshTransport(TimeSpan? persist)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        // Unix socket paths are limited to ~108 bytes: keep the directory short (a persistent one under a long home
        // directory falls back to a per-run one).
        Persist = persist is { } p && p > TimeSpan.Zero && home.Length is > 0 and <= 60 ? p : null;
        if (Persist is not null && !TryPrivateDirectory(PersistentDirectory))
        {
            Persist = null; // a home directory this user cannot write: connections close with the run, as by default
        }

        _controlDirectory = Persist is null ? Path.Combine("/tmp", $"orch-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}") : PersistentDirectory;
        if (Persist is null && !TryPrivateDirectory(_controlDirectory))
        {
            throw new IOException($"cannot create the private directory {_controlDirectory} for ssh control sockets");
        }
    }

    private static bool TryPrivateDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>How long connections outlive the run; null: they close with it.</summary>
    public TimeSpan? Persist { get; }

    /// <summary>The directory of the control sockets of connections kept open after runs (<c>--persist</c>).</summary>
    public static string PersistentDirectory => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".orchestrate", "cp");

    /// <summary>Closes every connection that earlier runs kept open: asks each master to exit on its control socket
    /// (as <c>ssh -O exit</c> does, without starting one where the socket protocol can be spoken here), and removes the
    /// sockets no master listens on any more; returns how many were open.</summary>
    public static async Task<int> CloseKeptAsync(string ssh = "ssh")
    {
        if (!Directory.Exists(PersistentDirectory))
        {
            return 0;
        }

        var closed = await Task.WhenAll(Directory.EnumerateFiles(PersistentDirectory).Select(async socket =>
        {
            var terminated = await MuxSession.TryTerminateAsync(socket, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false)
                ?? await ExitWithClientAsync(ssh, socket).ConfigureAwait(false);
            if (!terminated)
            {
                File.Delete(socket); // no master behind it any more
            }

            return terminated;
        })).ConfigureAwait(false);
        return closed.Count(c => c);
    }

    /// <summary>
    /// Ends the connections that runs killed outright (<c>kill -9</c>) left open: a run's control sockets are in
    /// <c>/tmp/orch-PID-...</c>, private to the user, and removed when the run ends; one whose process no longer exists
    /// was left by a run that could not close its connections, whose remote commands then run on. Each master is asked
    /// to exit on its socket; the hosts then end those commands (see <see cref="RemoteShell.StartCommand"/>'s
    /// watchdog). Returns how many masters were ended.
    /// </summary>
    public static async Task<int> EndLeftoversAsync(string ssh = "ssh")
    {
        var ended = 0;
        foreach (var directory in LeftoverDirectories())
        {
            string[] sockets;
            try
            {
                sockets = Directory.GetFiles(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // another user's, or gone meanwhile
            }

            var results = await Task.WhenAll(sockets.Select(async socket =>
                await MuxSession.TryTerminateAsync(socket, TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false)
                    ?? await ExitWithClientAsync(ssh, socket).ConfigureAwait(false))).ConfigureAwait(false);
            ended += results.Count(r => r);
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return ended;
    }

    // The control directories (orch-PID-xxxxxx in /tmp) of runs whose process is gone.
    private static IEnumerable<string> LeftoverDirectories()
    {
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateDirectories("/tmp", "orch-*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var directory in candidates)
        {
            var parts = Path.GetFileName(directory).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                yield return directory;
            }
        }
    }

    private static async Task<bool> ExitWithClientAsync(string ssh, string socket)
    {
        var info = new System.Diagnostics.ProcessStartInfo(ssh) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-S", socket, "-O", "exit", "orchestrate-kept-connection" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode == 0;
    }

    /// <summary>The <c>ssh</c> program; default: <c>ssh</c> on PATH.</summary>
    public string SshProgram { get; init; } = "ssh";

    /// <inheritdoc />
    public async Task<IRemoteConnection> ConnectAsync(HostSpec host, string? user, CancellationToken cancellationToken)
    {
        var key = (host.Name, user ?? host.User);
        var lazy = _connections.GetOrAdd(key, _ => new Lazy<Task<OpenSshConnection>>(() =>
        {
            var login = user ?? host.User;
            var socket = Path.Combine(_controlDirectory, Persist is null ? $"c{Interlocked.Increment(ref _next)}" : OpenSshConnection.PersistentName(host, login));
            return OpenSshConnection.OpenAsync(SshProgram, host, login, socket, Persist, CancellationToken.None);
        }));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HostUnreachableException)
        {
            // Let a later attempt (a rerun of the step, --check) try again.
            _connections.TryRemove(new KeyValuePair<(string, string?), Lazy<Task<OpenSshConnection>>>(key, lazy));
            throw;
        }
    }

    private static async Task CloseAsync(Task<OpenSshConnection> opened) => await (await opened.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);

    /// <summary>Closes every connection: shells, master processes, control sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        var closing = new List<Task>();
        foreach (var lazy in _connections.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                closing.Add(CloseAsync(lazy.Value));
            }
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
        _connections.Clear();
        if (Persist is not null)
        {
            return; // the masters live on, for the next run, until ControlPersist ends them
        }

        try
        {
            Directory.Delete(_controlDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
