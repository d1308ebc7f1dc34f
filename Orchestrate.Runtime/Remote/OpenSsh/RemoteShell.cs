using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestrate.Execution;

namespace Orchestrate.Remote.OpenSsh;

/// <summary>What a kill on the host reaches: a process group, a process and its descendants, or its descendants only.</summary>
internal enum KillScope
{
    Group,
    Tree,
    Descendants,
}

/// <summary>The remote shell of a connection died: the connection is lost.</summary>
internal sealed class RemoteShellLostException(string message) : Exception(message);

/// <summary>
/// A long-lived <c>/bin/sh</c> on the host, fed one command at a time on its standard input. Each command
/// runs in a subshell (its <c>cd</c>, variables and <c>exit</c> stay there; standard input from /dev/null),
/// which costs one fork and no exec, unless it is a simple command that cannot change the shell
/// (<see cref="RunsInPlace"/>), which runs in the shell itself; the shell then prints the exit code after a marker with a random nonce on
/// standard output, and the same marker on standard error, so the end of both streams is known exactly.
/// sshd makes the shell the leader of a session and process group of its own, which its commands share: a
/// timeout or Ctrl+C kills that whole group, shell included, and the connection opens another shell.
/// <para>The connection's first shell is the master connection's own session (no extra ssh process or session per
/// host). Killing its group would end the connection, so its commands run as background jobs whose process ID is
/// reported, and a timeout kills that job's process tree instead.</para>
/// </summary>
internal sealed class RemoteShell : IAsyncDisposable
{
    private readonly IShellChannel _process;
    private readonly string _host;
    private readonly Task _readOut;
    private readonly Task _readErr;
    private readonly Lock _gate = new();
    private readonly bool _primary;
    private readonly StringBuilder _unclaimed = new();
    private Batch? _current;
    private volatile bool _stopping;

    private RemoteShell(IShellChannel process, string host, bool primary = false)
    {
        _process = process;
        _host = host;
        _primary = primary;
        _readOut = ReadAsync(process.StandardOutput, isError: false);
        _readErr = ReadAsync(process.StandardError, isError: true);
    }

    public bool IsBroken { get; private set; }

    /// <summary>True when no command sent to the shell is still running: it may take the next one (also after a
    /// cancelled command, once the shell reported its end).</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _current is null || _current.AllDone.IsCompleted;
            }
        }
    }

    /// <summary>True for the master connection's own session.</summary>
    public bool IsPrimary => _primary;

    /// <summary>What ssh wrote on standard error outside any command (why a connection failed, for example).</summary>
    public string Unclaimed
    {
        get
        {
            lock (_unclaimed)
            {
                return _unclaimed.ToString();
            }
        }
    }

    /// <summary>Known once the shell has started (it says its process ID first).</summary>
    public Task Started => ProcessGroup.Task;

    /// <summary>Wraps an ssh process already started with <see cref="StartCommand"/> as its remote command: the master's own session.</summary>
    public static RemoteShell Attach(IShellChannel channel, string host)
    {
        channel.StandardInput.AutoFlush = false;
        return new RemoteShell(channel, host, primary: true);
    }

    /// <summary>Wraps a session opened on the master's control socket (see <see cref="MuxSession"/>).</summary>
    public static RemoteShell Over(IShellChannel channel, string host)
    {
        channel.StandardInput.AutoFlush = false;
        return new RemoteShell(channel, host);
    }

    /// <summary>
    /// The remote command that starts the shell: it says its process ID (its process group: sshd makes each session a
    /// session of its own), starts the watchdog, then becomes the shell.
    /// <para>The watchdog makes remote commands die with their connection: while the shell lives, it looks once a
    /// second whether the shell's parent (sshd's process for this connection) still does; when the connection is gone
    /// (the network, a killed ssh, a Ctrl+C that reached the ssh processes) while the shell still runs a command, it
    /// kills the shell's process group, the commands with it. A shell that ends normally (its input closed, nothing
    /// running) ends the watchdog too, so what a step started on purpose (a daemon) lives on. It is started twice
    /// removed (a child of a subshell that exits at once), so that it is not among the shell's descendants, which a
    /// cancelled command's kill reaches, and with no terminal stream of the channel open, so that the channel closes
    /// when the shell ends. Commands run through sudo belong to root and are out of its reach.</para>
    /// </summary>
    public const string StartCommand =
        "echo \"__ORCH_SHELL $$\"; __orch_s=$$; __orch_p=$PPID; " +
        "( ( trap '' INT TERM HUP; while kill -0 $__orch_s 2>/dev/null; do " +
        "kill -0 $__orch_p 2>/dev/null || { kill -KILL -$__orch_s; exit 0; }; sleep 1; done ) & ) </dev/null >/dev/null 2>&1; " +
        "exec /bin/sh";

    /// <summary>The shell's process ID on the host, which is also its process group: known once it started.</summary>
    private TaskCompletionSource<int> ProcessGroup { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs one command. <paramref name="kill"/> signals a process on the host: (process ID, through sudo,
    /// signal, what the signal reaches).</summary>
    public async Task<RemoteResult> ExecuteAsync(RemoteCommand command, Action<OutputLine>? onLine, Func<int, bool, string, KillScope, Task> kill, CancellationToken cancellationToken) =>
        (await ExecuteSequenceAsync([command], onLine is null ? null : (_, line) => onLine(line), kill, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Runs commands in order, sent in one write: the shell runs each after the one before, and skips the rest after the
    /// first whose exit code is not allowed, so there is no round trip between them. Returns one result per command that
    /// ran. A timeout applies to a lone command only (a sequence with timeouts is sent one command at a time).
    /// </summary>
    public async Task<IReadOnlyList<RemoteResult>> ExecuteSequenceAsync(IReadOnlyList<RemoteCommand> commands, Action<int, OutputLine>? onLine, Func<int, bool, string, KillScope, Task> kill, CancellationToken cancellationToken)
    {
        var pendings = new Pending[commands.Count];
        var script = new StringBuilder("__orch_go=1\n");
        for (var k = 0; k < commands.Count; k++)
        {
            var step = k;
            var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            pendings[k] = new Pending(nonce, onLine is null ? null : line => onLine(step, line));
            script.Append(Frame(commands[k], nonce, _primary));
        }

        var batch = new Batch(pendings);
        lock (_gate)
        {
            if (IsBroken)
            {
                throw new RemoteShellLostException("its shell ended");
            }

            _current = batch;
        }

        var clock = Stopwatch.StartNew();
        try
        {
            await _process.StandardInput.WriteAsync(script.ToString()).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            MarkBroken();
            throw new RemoteShellLostException($"cannot send the command: {e.Message}");
        }

        var lone = commands.Count == 1 ? commands[0].Timeout : null;
        using var timeout = lone is { } limit ? new CancellationTokenSource(Scheduling.TimeLimits.ForTimer(limit)) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout?.Token ?? CancellationToken.None);
        var timedOut = false;
        var all = batch.AllDone;
        try
        {
            await all.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!all.IsCompleted)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            var running = batch.Running;
            await StopAsync(pendings[running], commands[running], kill).ConfigureAwait(false);
            // The commands after the one stopped are skipped by the shell (or went with it).
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var results = new List<RemoteResult>(commands.Count);
        for (var k = 0; k < commands.Count; k++)
        {
            var pending = pendings[k];
            if (pending.Lost is { } lost)
            {
                throw new RemoteShellLostException(lost);
            }

            if (pending.Skipped || !pending.Done.Task.IsCompleted)
            {
                break;
            }

            var command = commands[k];
            var display = command.Sudo ? $"sudo {command.Script}" : command.Script;
            results.Add(new RemoteResult(_host, display, timedOut ? -1 : pending.ExitCode, pending.StdOut.ToString(), pending.StdErr.ToString(), clock.Elapsed, timedOut));
            if (timedOut || !command.AllowedExitCodes.Contains(pending.ExitCode))
            {
                break;
            }
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        MarkBroken();
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }

        await Task.WhenAny(Task.WhenAll(_readOut, _readErr), Task.Delay(1000, CancellationToken.None)).ConfigureAwait(false);
        _process.Dispose();
    }

    // Kill the command's process group (TERM, then KILL), then wait for the shell to report its end;
    // a shell that does not come back is closed, and the pool opens another.
    private async Task StopAsync(Pending pending, RemoteCommand command, Func<int, bool, string, KillScope, Task> kill)
    {
        _stopping = !_primary;
        // The master's own shell must live: a job is killed with its process tree, a command run in place (a child of
        // the shell) with the shell's descendants. Another shell is killed with its whole process group.
        var inPlace = RunsInPlace(command);
        var scope = !_primary ? KillScope.Group : inPlace ? KillScope.Descendants : KillScope.Tree;
        int group;
        try
        {
            group = await (_primary && !inPlace ? pending.Job.Task : ProcessGroup.Task).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // The shell (or the job) never said who it is: closing the channel is all that can be done.
            MarkBroken();
            return;
        }

        await kill(group, command.Sudo, "TERM", scope).ConfigureAwait(false);
        if (await Finished(pending, TimeSpan.FromSeconds(2)).ConfigureAwait(false))
        {
            return;
        }

        await kill(group, command.Sudo, "KILL", scope).ConfigureAwait(false);
        if (!await Finished(pending, TimeSpan.FromSeconds(3)).ConfigureAwait(false))
        {
            MarkBroken();
        }
    }

    private static async Task<bool> Finished(Pending pending, TimeSpan wait)
    {
        try
        {
            await pending.Done.Task.WaitAsync(wait).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The text sent to the shell for one command.</summary>
    /// <remarks>
    /// A subshell that changes directory, sets the variables and evaluates the command: a fork and no exec (an exec
    /// costs several milliseconds on a small host, more than most commands). Through sudo, the subshell becomes
    /// <c>sudo -n env ... /bin/sh -c</c>.
    /// </remarks>
    internal static string Frame(RemoteCommand command, string nonce, bool background = false)
    {
        var allowed = string.Join('|', command.AllowedExitCodes.Select(c => c.ToString(CultureInfo.InvariantCulture)).DefaultIfEmpty("0"));
        var run = RunsInPlace(command) ? new StringBuilder(command.Script).Append(" </dev/null") : Isolated(command, nonce, background);
        // In a sequence, a command runs only while the ones before it ended with an allowed code; a skipped one says "-".
        return $"if [ \"$__orch_go\" = 1 ]; then {run}; __orch_rc=$?; else __orch_rc=-; fi; " +
            $"printf '\\n__ORCH_EXIT_{nonce} %s\\n' \"$__orch_rc\"; printf '\\n__ORCH_END_{nonce}\\n' >&2; " +
            $"case $__orch_rc in {allowed}) ;; *) __orch_go=0 ;; esac\n";
    }

    /// <summary>
    /// True when a command can run in the shell itself, without the subshell that isolates it: a single simple command
    /// (words, single quotes, double quotes without expansions) whose name is not a builtin that changes the shell
    /// (<c>cd</c>, <c>exit</c>, <c>set</c>, <c>export</c>, ...) and that assigns no variable, with no working directory,
    /// variables or sudo of its own. Such a command cannot change the shell, so the fork of a subshell (about a
    /// millisecond of CPU on a small VM) is saved: a builtin such as <c>echo</c> costs no process at all, and any
    /// other program is forked and executed by the shell as it would have been inside the subshell.
    /// </summary>
    internal static bool RunsInPlace(RemoteCommand command)
    {
        if (command.Sudo || command.WorkingDirectory is not null || command.Environment is { Count: > 0 } || command.Script.Length is 0 or > 4096)
        {
            return false;
        }

        var script = command.Script;
        var firstWordEnd = -1;
        var quoted = false;
        char quote = '\0';
        for (var i = 0; i < script.Length; i++)
        {
            var c = script[i];
            if (quote == '\'')
            {
                quote = c == '\'' ? '\0' : quote;
                continue;
            }

            if (quote == '"')
            {
                if (c is '$' or '`' or '\\')
                {
                    return false;
                }

                quote = c == '"' ? '\0' : quote;
                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
                quoted |= firstWordEnd < 0;
                continue;
            }

            if (c is ' ' or '\t')
            {
                if (firstWordEnd < 0)
                {
                    firstWordEnd = i;
                }

                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or ':' or ',' or '+' or '@' or '%' or '^' or '-' or '=' or '~' or '*' or '?' or '[' or ']'))
            {
                return false;
            }
        }

        if (quote != '\0')
        {
            return false;
        }

        var name = firstWordEnd < 0 ? script : script[..firstWordEnd];
        return name.Length > 0 && !quoted && !name.Contains('=') && !ChangesTheShell.Contains(name);
    }

    // Builtins (and keywords) that could change the shell they run in, or end it; anything else runs in place.
    private static readonly HashSet<string> ChangesTheShell = new(StringComparer.Ordinal)
    {
        ".", "alias", "bg", "break", "builtin", "cd", "chdir", "command", "continue", "eval", "exec", "exit", "export",
        "fg", "getopts", "hash", "jobs", "kill", "local", "popd", "pushd", "read", "readonly", "return", "set", "shift",
        "source", "trap", "ulimit", "umask", "unalias", "unset", "wait", "newgrp", "if", "then", "else", "elif", "fi",
        "case", "esac", "for", "while", "until", "do", "done", "function", "select", "time",
    };

    private static StringBuilder Isolated(RemoteCommand command, string nonce, bool background)
    {
        var run = new StringBuilder("( ");
        if (command.WorkingDirectory is { } dir)
        {
            run.Append("cd -- ").Append(ShellQuoting.Quote(dir)).Append(" || exit 125; ");
        }

        if (command.Sudo)
        {
            run.Append("exec sudo -n env");
            foreach (var (name, value) in command.Environment ?? new Dictionary<string, string>())
            {
                run.Append(' ').Append(ShellQuoting.Quote($"{name}={value}"));
            }

            run.Append(" /bin/sh -c ").Append(ShellQuoting.Quote(command.Script));
        }
        else
        {
            foreach (var (name, value) in command.Environment ?? new Dictionary<string, string>())
            {
                run.Append("export ").Append(ShellQuoting.Quote($"{name}={value}")).Append("; ");
            }

            run.Append("eval ").Append(ShellQuoting.Quote(command.Script));
        }

        run.Append(" ) </dev/null");
        return run.Append(background ? $" & echo \"__ORCH_PID_{nonce} $!\"; wait $!" : "");
    }

    private async Task ReadAsync(StreamReader reader, bool isError)
    {
        // An empty line is held back one line: the shell writes a newline before its marker, so that a
        // marker never shares a line with output that did not end in one; that newline is not output.
        var heldEmpty = false;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            Batch? batch;
            lock (_gate)
            {
                batch = _current;
            }

            var pending = batch?.Current(isError);

            if (!isError && !ProcessGroup.Task.IsCompleted && line.StartsWith(ShellMarker, StringComparison.Ordinal))
            {
                ProcessGroup.TrySetResult(int.Parse(line.AsSpan(ShellMarker.Length).Trim(), CultureInfo.InvariantCulture));
                continue;
            }

            if (pending is null)
            {
                if (isError)
                {
                    lock (_unclaimed)
                    {
                        if (_unclaimed.Length < 8192)
                        {
                            _unclaimed.AppendLine(line);
                        }
                    }
                }

                continue;
            }

            if (line.Length == 0 && !heldEmpty)
            {
                heldEmpty = true;
                continue;
            }

            var marker = line.IndexOf(isError ? pending.EndMarker : pending.ExitMarker, StringComparison.Ordinal);
            if (marker >= 0)
            {
                if (marker > 0)
                {
                    Emit(pending, line[..marker], isError);
                }

                heldEmpty = false;
                if (!isError)
                {
                    var code = line.AsSpan(marker + pending.ExitMarker.Length).Trim();
                    pending.Skipped = code is "-";
                    pending.ExitCode = pending.Skipped ? -1 : int.Parse(code, CultureInfo.InvariantCulture);
                }

                pending.StreamDone(isError);
                batch!.Advance(isError);
                continue;
            }

            if (heldEmpty)
            {
                Emit(pending, "", isError);
                heldEmpty = line.Length == 0;
                if (heldEmpty)
                {
                    continue;
                }
            }

            // A background job's PID comes as it starts: it may land after output that has no newline yet.
            var pid = _primary && !isError ? line.IndexOf(pending.JobMarker, StringComparison.Ordinal) : -1;
            if (pid >= 0)
            {
                pending.Job.TrySetResult(int.Parse(line.AsSpan(pid + pending.JobMarker.Length).Trim(), CultureInfo.InvariantCulture));
                if (pid == 0)
                {
                    continue;
                }

                line = line[..pid];
            }

            Emit(pending, line, isError);
        }

        // The shell's stream closed: the channel or the whole connection is gone.
        MarkBroken();
    }

    private static void Emit(Pending pending, string text, bool isError)
    {
        (isError ? pending.StdErr : pending.StdOut).Append(text).Append('\n');
        pending.OnLine?.Invoke(new OutputLine(text, isError));
    }

    private const string ShellMarker = "__ORCH_SHELL ";

    private void MarkBroken()
    {
        Batch? batch;
        lock (_gate)
        {
            IsBroken = true;
            batch = _current;
        }

        ProcessGroup.TrySetCanceled();
        foreach (var pending in batch?.Items ?? [])
        {
            // A shell killed on purpose (a timeout, Ctrl+C) took the command with it: that is not a lost connection.
            if (pending.Done.Task.IsCompleted)
            {
                continue;
            }

            if (_stopping)
            {
                pending.Killed();
            }
            else
            {
                pending.Fail("the remote shell ended");
            }
        }
    }

    /// <summary>The commands sent in one write, and which one each stream is on (each index moved by its own reader only).</summary>
    private sealed class Batch(Pending[] items)
    {
        private int _out;
        private int _err;

        public Pending[] Items { get; } = items;

        public Task AllDone { get; } = Task.WhenAll(items.Select(p => p.Done.Task));

        /// <summary>The command whose output is coming (or the last one).</summary>
        public int Running => Math.Min(Volatile.Read(ref _out), Items.Length - 1);

        public Pending? Current(bool isError)
        {
            var at = isError ? Volatile.Read(ref _err) : Volatile.Read(ref _out);
            return at < Items.Length ? Items[at] : null;
        }

        public void Advance(bool isError)
        {
            if (isError)
            {
                Interlocked.Increment(ref _err);
            }
            else
            {
                Interlocked.Increment(ref _out);
            }
        }
    }

    private sealed class Pending(string nonce, Action<OutputLine>? onLine)
    {
        private int _streams;

        public string ExitMarker { get; } = $"__ORCH_EXIT_{nonce} ";

        public string JobMarker { get; } = $"__ORCH_PID_{nonce} ";

        public TaskCompletionSource<int> Job { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string EndMarker { get; } = $"__ORCH_END_{nonce}";

        public Action<OutputLine>? OnLine { get; } = onLine;

        public StringBuilder StdOut { get; } = new();

        public StringBuilder StdErr { get; } = new();

        public int ExitCode { get; set; }

        /// <summary>Not run: a command before it in its sequence failed.</summary>
        public bool Skipped { get; set; }

        public string? Lost { get; private set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void StreamDone(bool isError)
        {
            if (Interlocked.Increment(ref _streams) == 2)
            {
                Done.TrySetResult();
            }
        }

        public void Fail(string reason)
        {
            Lost ??= reason;
            Job.TrySetCanceled();
            Done.TrySetResult();
        }

        public void Killed()
        {
            ExitCode = -1;
            Done.TrySetResult();
        }
    }
}
