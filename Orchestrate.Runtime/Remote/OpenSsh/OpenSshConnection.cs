using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using System.Threading.Channels;
using Orchestrate.Execution;

namespace Orchestrate.Remote.OpenSsh;

/// <summary>
/// One master connection (<c>ssh -M</c>, a child process owned by the run) and the channels over it: a small pool
/// of long-lived remote shells that run commands one after the other with exit-code framing (a command costs a few
/// milliseconds instead of a new ssh process and session), the first of them the master's own session, and one-off
/// <c>ssh</c> processes for file streams and kills.
/// </summary>
internal sealed class OpenSshConnection : IRemoteConnection, IAsyncDisposable
{
    private readonly string _ssh;
    private readonly string _socket;
    // Null when the run found a master kept by an earlier run (--persist) and opened its first shell on the master's
    // control socket itself: the master is not this run's process then.
    private readonly Process? _master;
    private readonly Channel<RemoteShell> _idle = Channel.CreateUnbounded<RemoteShell>();
    private readonly List<RemoteShell> _shells = [];
    private readonly SemaphoreSlim _channels;
    private readonly Lock _gate = new();
    private volatile string? _lost;

    private readonly RemoteShell? _primary;

    // The master processes of this process's open connections, for KillMastersNow.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Process, byte> LiveMasters = new();

    /// <summary>Kills this process's ssh masters at once (a second Ctrl+C quits without waiting for anything): their
    /// connections close, and the hosts end the commands that ran over them (see <see cref="RemoteShell.StartCommand"/>).
    /// Without this the masters would outlive the process, and their commands run on.</summary>
    public static void KillMastersNow()
    {
        foreach (var master in LiveMasters.Keys)
        {
            Kill(master);
        }
    }

    private OpenSshConnection(string ssh, HostSpec host, string? user, string socket, Process? master, RemoteShell first)
    {
        _ssh = ssh;
        Host = host;
        User = user;
        _socket = socket;
        _master = master;
        if (master is not null)
        {
            LiveMasters.TryAdd(master, 0);
        }

        if (first.IsPrimary)
        {
            _primary = first;
        }
        else
        {
            _shells.Add(first);
        }

        // The first shell takes a session (the master's own, or one on a kept master); more shells and one-off
        // channels share what the server allows.
        _channels = new SemaphoreSlim(Math.Max(1, host.MaxChannels - 1));
        _idle.Writer.TryWrite(first);
    }

    public HostSpec Host { get; }

    public string? User { get; }

    /// <summary>The control socket's name for a connection that outlives the run: the same host, port, user and ssh
    /// options give the same name, so the next run finds the master; anything else, another one.</summary>
    public static string PersistentName(HostSpec host, string? user)
    {
        var key = string.Join('\n', MasterArguments(host, user, "", null));
        return "p" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..20];
    }

    public static async Task<OpenSshConnection> OpenAsync(string ssh, HostSpec host, string? user, string socket, TimeSpan? persist, CancellationToken cancellationToken)
    {
        // A master kept by an earlier run: its control socket opens the first shell, with no ssh process of ours.
        if (persist is not null
            && await MuxSession.TryOpenAsync(socket, RemoteShell.StartCommand, TimeSpan.FromSeconds(host.ConnectTimeoutSeconds), cancellationToken).ConfigureAwait(false) is { } session)
        {
            var shell = RemoteShell.Over(session, host.Name);
            using var started = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            started.CancelAfter(TimeSpan.FromSeconds(host.ConnectTimeoutSeconds + 5));
            if (await Task.WhenAny(shell.Started, Task.Delay(Timeout.Infinite, started.Token)).ConfigureAwait(false) == shell.Started && shell.Started.IsCompletedSuccessfully)
            {
                return new OpenSshConnection(ssh, host, user, socket, null, shell);
            }

            await shell.DisposeAsync().ConfigureAwait(false);
        }

        var arguments = MasterArguments(host, user, socket, persist).ToList();
        // OpenSSH says what these arguments and its configuration do to host keys before anything connects.
        await HostKeyGuard.CheckAsync(ssh, host, arguments.TakeWhile(a => a != "--").Where(a => a != "-M"), cancellationToken).ConfigureAwait(false);
        var info = SshStartInfo(ssh, arguments);
        Process master;
        try
        {
            master = Process.Start(info) ?? throw new HostUnreachableException(host.Name, $"cannot start {ssh}");
        }
        catch (Win32Exception e)
        {
            throw new HostUnreachableException(host.Name, $"cannot start {ssh} (is the OpenSSH client installed?): {e.Message}", e);
        }

        var primary = RemoteShell.Attach(new ProcessShellChannel(master), host.Name);
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(host.ConnectTimeoutSeconds + 5);
        // The master is ready when its session's shell has said its process ID and its control socket exists; it
        // exits if the connection fails.
        while (!primary.Started.IsCompletedSuccessfully || !File.Exists(socket))
        {
            if (master.HasExited || primary.Started.IsCanceled || deadline.Elapsed > limit || cancellationToken.IsCancellationRequested)
            {
                Kill(master);
                await master.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                await primary.DisposeAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new HostUnreachableException(host.Name, Describe(primary.Unclaimed, deadline.Elapsed > limit));
            }

            await Task.WhenAny(primary.Started, Task.Delay(5, CancellationToken.None)).ConfigureAwait(false);
        }

        return new OpenSshConnection(ssh, host, user, socket, master, primary);
    }

    public async Task<RemoteResult> RunAsync(RemoteCommand command, Action<OutputLine>? onLine, CancellationToken cancellationToken)
    {
        ThrowIfLost();
        var shell = await AcquireShellAsync(cancellationToken).ConfigureAwait(false);
        var healthy = false;
        try
        {
            var result = await shell.ExecuteAsync(command, onLine, KillAsync, cancellationToken).ConfigureAwait(false);
            healthy = true;
            return result;
        }
        catch (RemoteShellLostException e)
        {
            _lost ??= e.Message;
            throw new HostUnreachableException(Host.Name, $"the connection was lost ({e.Message})", e);
        }
        finally
        {
            ReleaseShell(shell, healthy);
        }
    }

    public async Task<IReadOnlyList<RemoteResult>> RunSequenceAsync(IReadOnlyList<RemoteCommand> commands, Action<int, OutputLine>? onLine, CancellationToken cancellationToken)
    {
        ThrowIfLost();
        var shell = await AcquireShellAsync(cancellationToken).ConfigureAwait(false);
        var healthy = false;
        try
        {
            var results = await shell.ExecuteSequenceAsync(commands, onLine, KillAsync, cancellationToken).ConfigureAwait(false);
            healthy = true;
            return results;
        }
        catch (RemoteShellLostException e)
        {
            _lost ??= e.Message;
            throw new HostUnreachableException(Host.Name, $"the connection was lost ({e.Message})", e);
        }
        finally
        {
            ReleaseShell(shell, healthy);
        }
    }

    public async Task UploadAsync(IReadOnlyList<UploadItem> files, string remoteDirectory, CancellationToken cancellationToken)
    {
        ThrowIfLost();
        var script = $"mkdir -p -- {ShellQuoting.Quote(remoteDirectory)} && tar -x -m -f - -C {ShellQuoting.Quote(remoteDirectory)}";
        await RunStreamAsync(script, async stdin =>
        {
            await using (var tar = new TarWriter(stdin, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var file in files)
                {
                    await tar.WriteEntryAsync(file.LocalPath, file.RemoteName, cancellationToken).ConfigureAwait(false);
                }
            }
        }, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DownloadAsync(string remotePath, string localPath, CancellationToken cancellationToken)
    {
        ThrowIfLost();
        var directory = Path.GetDirectoryName(remotePath.TrimEnd('/'));
        var name = Path.GetFileName(remotePath.TrimEnd('/'));
        var script = $"test -f {ShellQuoting.Quote(remotePath)} || exit 3; tar -c -f - -C {ShellQuoting.Quote(string.IsNullOrEmpty(directory) ? "." : directory)} -- {ShellQuoting.Quote(name)}";
        // Beside the file, under a short name of its own: a name near the 255-byte limit must still fit.
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(localPath))!, $".orchestrate-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        var found = false;
        try
        {
            var code = await RunStreamAsync(script, null, async stdout =>
            {
                var tar = new TarReader(stdout, leaveOpen: true);
                try
                {
                    while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
                        {
                            await using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
                            await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                            found = true;
                        }
                    }
                }
                catch (EndOfStreamException)
                {
                    // No archive at all: the file does not exist (the exit code says so).
                }
                finally
                {
                    try
                    {
                        await tar.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (EndOfStreamException)
                    {
                    }
                }
            }, cancellationToken, allowedExitCodes: [0, 3]).ConfigureAwait(false);
            if (code == 3 || !found)
            {
                return false;
            }

            File.Move(temporary, localPath, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<RemoteShell> shells;
        lock (_gate)
        {
            shells = [.. _shells];
            _shells.Clear();
        }

        await Task.WhenAll(shells.Select(shell => shell.DisposeAsync().AsTask())).ConfigureAwait(false);

        // The master's own session last: its shell ends when its input closes, and the master with it (no more
        // "-O exit" process per host); the shell kills the master if it does not end.
        if (_primary is not null)
        {
            await _primary.DisposeAsync().ConfigureAwait(false);
        }

        if (_master is not null)
        {
            LiveMasters.TryRemove(_master, out _);
            _master.Dispose();
        }
        _channels.Dispose();
    }

    /// <summary>Sends a signal to a process group, to a process and all its descendants, or to its descendants only, on the
    /// host, over a channel of its own.</summary>
    private async Task KillAsync(int process, bool sudo, string signal, KillScope scope)
    {
        // dash's kill takes no "--": a negative number after the signal names the process group. A tree is found
        // through /proc (ppid is the 4th field of /proc/PID/stat, after the command name in parentheses).
        var kill = scope != KillScope.Group
            ? "all=$(for s in /proc/[0-9]*/stat; do read -r l < \"$s\" 2>/dev/null || continue; r=${l##*) }; set -- $r; p=${s#/proc/}; echo \"${p%/stat} $2\"; done); " +
              $"list={(scope == KillScope.Tree ? process : "")}; next={process}; " +
              "while [ -n \"$next\" ]; do kids=; for k in $next; do kids=\"$kids $(echo \"$all\" | while read -r c pp; do [ \"$pp\" = \"$k\" ] && echo \"$c\"; done)\"; done; next=$(echo $kids); list=\"$list $next\"; done; " +
              $"kill -{signal} $list 2>/dev/null"
            : $"kill -{signal} -{process} 2>/dev/null";
        try
        {
            await RunStreamAsync(sudo ? $"sudo -n {kill}" : kill, null, null, CancellationToken.None, allowedExitCodes: null).ConfigureAwait(false);
        }
        catch (HostUnreachableException)
        {
            // The connection is gone: so is every process it started.
        }
    }

    private async Task<RemoteShell> AcquireShellAsync(CancellationToken cancellationToken)
    {
        if (_idle.Reader.TryRead(out var idle))
        {
            return idle;
        }

        // No idle shell: open another while channels allow, else wait for one to come back.
        if (await _channels.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var shell = RemoteShell.Over(await OpenChannelAsync(RemoteShell.StartCommand, cancellationToken).ConfigureAwait(false), Host.Name);
                lock (_gate)
                {
                    _shells.Add(shell);
                }

                return shell;
            }
            catch
            {
                _channels.Release();
                throw;
            }
        }

        return await _idle.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    private void ReleaseShell(RemoteShell shell, bool healthy)
    {
        // A cancelled command leaves its shell usable once the shell reported the command's end.
        if (!shell.IsBroken && (healthy || shell.IsIdle))
        {
            _idle.Writer.TryWrite(shell);
            return;
        }

        if (shell.IsPrimary)
        {
            // The master's own session ended: so did the connection.
            _lost ??= "the master connection's session ended";
            return;
        }

        lock (_gate)
        {
            _shells.Remove(shell);
        }

        _ = shell.DisposeAsync().AsTask();
        _channels.Release();
    }

    /// <summary>Runs one command in a channel of its own with binary standard input and output (file streams).</summary>
    private async Task<int> RunStreamAsync(string script, Func<Stream, Task>? writeInput, Func<Stream, Task>? readOutput, CancellationToken cancellationToken, IReadOnlyList<int>? allowedExitCodes = null)
    {
        await _channels.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var channel = await OpenChannelAsync(script, cancellationToken).ConfigureAwait(false);
            var errors = new StringBuilder();
            var readErrors = PumpAsync(channel.StandardError, errors);
            var input = Task.Run(async () =>
            {
                try
                {
                    if (writeInput is not null)
                    {
                        await writeInput(channel.StandardInput.BaseStream).ConfigureAwait(false);
                    }
                }
                finally
                {
                    channel.StandardInput.Close();
                }
            }, CancellationToken.None);
            var output = readOutput is null
                ? channel.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None)
                : readOutput(channel.StandardOutput.BaseStream);
            int exitCode;
            try
            {
                exitCode = await channel.ExitCodeAsync(cancellationToken).ConfigureAwait(false);
                await Task.WhenAll(input, output, readErrors).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                channel.Kill();
                throw;
            }

            if (exitCode == 255)
            {
                throw new HostUnreachableException(Host.Name, Describe(errors.ToString(), timedOut: false));
            }

            if (allowedExitCodes is not null && !allowedExitCodes.Contains(exitCode))
            {
                throw new CommandFailedException(new CommandResult($"{script} (on {Host.Name})", exitCode, "", errors.ToString(), TimeSpan.Zero));
            }

            return exitCode;
        }
        finally
        {
            _channels.Release();
        }
    }

    // A session on the master's control socket, opened by this process (see MuxSession); an ssh client process where
    // that cannot be done.
    private async Task<IShellChannel> OpenChannelAsync(string script, CancellationToken cancellationToken)
    {
        if (await MuxSession.TryOpenAsync(_socket, script, TimeSpan.FromSeconds(Host.ConnectTimeoutSeconds), cancellationToken).ConfigureAwait(false) is { } session)
        {
            return session;
        }

        try
        {
            return new ProcessShellChannel(Process.Start(SshStartInfo(_ssh, ChannelArguments(script)))!);
        }
        catch (Win32Exception e)
        {
            throw new HostUnreachableException(Host.Name, $"cannot start {_ssh}: {e.Message}", e);
        }
    }

    // An ssh process with its three streams redirected, its text in UTF-8.
    private static ProcessStartInfo SshStartInfo(string ssh, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(ssh)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private IEnumerable<string> ChannelArguments(string script)
    {
        yield return "-S";
        yield return _socket;
        yield return "-o";
        yield return "ControlMaster=no";
        yield return "-o";
        yield return "BatchMode=yes";
        yield return "-T";
        foreach (var argument in Login(Host, User))
        {
            yield return argument;
        }

        yield return "--";
        yield return script;
    }

    private static IEnumerable<string> MasterArguments(HostSpec host, string? user, string socket, TimeSpan? persist)
    {
        // A persistent master is shared: reuse a live one (this session then runs over it), else become it.
        yield return persist is null ? "-M" : "-oControlMaster=auto";
        yield return "-T";
        yield return "-S";
        yield return socket;
        yield return "-o";
        yield return persist is { } p ? $"ControlPersist={(int)Math.Ceiling(p.TotalSeconds)}s" : "ControlPersist=no";
        yield return "-o";
        yield return "BatchMode=yes";
        yield return "-o";
        yield return $"ConnectTimeout={host.ConnectTimeoutSeconds}";
        yield return "-o";
        yield return "ServerAliveInterval=15";
        yield return "-o";
        yield return "ServerAliveCountMax=3";
        if (host.IdentityFile is { } identity)
        {
            yield return "-i";
            yield return identity;
            yield return "-o";
            yield return "IdentitiesOnly=yes";
        }

        if (host.KnownHostsFile is { } knownHosts)
        {
            yield return "-o";
            yield return $"UserKnownHostsFile={knownHosts}";
        }

        switch (host.HostKeyChecking)
        {
            case HostKeyChecking.AcceptNew:
                yield return "-o";
                yield return "StrictHostKeyChecking=accept-new";
                break;
            case HostKeyChecking.Strict:
                yield return "-o";
                yield return "StrictHostKeyChecking=yes";
                break;
        }

        foreach (var argument in host.SshArguments)
        {
            yield return argument;
        }

        foreach (var argument in Login(host, user))
        {
            yield return argument;
        }

        yield return "--";
        yield return RemoteShell.StartCommand;
    }

    private static IEnumerable<string> Login(HostSpec host, string? user)
    {
        if (host.Port is { } port)
        {
            yield return "-p";
            yield return port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (user is not null)
        {
            yield return "-l";
            yield return user;
        }

        yield return host.Target;
    }

    private void ThrowIfLost()
    {
        if (_lost is { } reason)
        {
            throw new HostUnreachableException(Host.Name, $"the connection was lost earlier in this run ({reason})");
        }

        if (_master is { HasExited: true })
        {
            _lost = "the master connection ended";
            throw new HostUnreachableException(Host.Name, _lost);
        }
    }

    // OpenSSH's last line says why ("Connection refused", "Permission denied (publickey)", "Host key verification failed.").
    private static string Describe(string errors, bool timedOut)
    {
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Warning: Permanently added", StringComparison.Ordinal))
            .ToArray();
        var last = lines.Length > 0 ? lines[^1].TrimEnd('.') : null;
        return (timedOut, last) switch
        {
            (true, null) => "the connection timed out",
            (true, _) => $"the connection timed out ({last})",
            (false, null) => "ssh exited without saying why",
            _ => last,
        };
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
        }
    }
}
