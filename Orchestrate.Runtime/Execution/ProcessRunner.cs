using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Orchestrate.Execution;

/// <summary>One line a process wrote.</summary>
/// <param name="Text">The line, without its end-of-line.</param>
/// <param name="IsError">True for standard error.</param>
public readonly record struct OutputLine(string Text, bool IsError);

/// <summary>How a process ended.</summary>
/// <param name="Result">Exit code, output and duration.</param>
/// <param name="TimedOut">True when the process was killed for running past its timeout.</param>
public sealed record ProcessOutcome(CommandResult Result, bool TimedOut);

/// <summary>
/// The one way Orchestrate starts local processes: no shell unless asked, standard input closed,
/// output read line by line as it comes, and the whole process tree killed on cancellation or timeout.
/// </summary>
public sealed partial class ProcessRunner
{
    // Output kept in memory per stream; past this the oldest text is dropped (the tail matters for errors).
    private const int MaxCapturedChars = 8 * 1024 * 1024;

    /// <summary>Starts the process, streams its lines to <paramref name="onLine"/>, and waits for it.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled; the process tree was killed.</exception>
    /// <exception cref="ProcessStartException">The program could not be started.</exception>
    public async Task<ProcessOutcome> RunAsync(ProcessSpec spec, Action<OutputLine>? onLine, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var startInfo = new ProcessStartInfo(spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = spec.WorkingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (spec.Environment is not null)
        {
            foreach (var (name, value) in spec.Environment)
            {
                if (value is null)
                {
                    startInfo.Environment.Remove(name);
                }
                else
                {
                    startInfo.Environment[name] = value;
                }
            }
        }

        using var process = new Process { StartInfo = startInfo };
        var stopwatch = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ProcessStartException(spec, e.Message);
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var readOut = PumpAsync(process.StandardOutput, stdout, false, onLine);
        var readErr = PumpAsync(process.StandardError, stderr, true, onLine);
        await WriteInputAsync(process, spec.StandardInput).ConfigureAwait(false);

        using var timeout = spec.Timeout is { } limit ? new CancellationTokenSource(Scheduling.TimeLimits.ForTimer(limit)) : null;
        using var linked = timeout is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            // A background child may still hold the pipes open: read until they close, unless cancelled.
            await Task.WhenAll(readOut, readErr).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillTreeAsync(process).ConfigureAwait(false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            // The pipes close once the tree is gone; a process that escaped the tree is not waited for.
            await Task.WhenAny(Task.WhenAll(readOut, readErr), Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }

        stopwatch.Stop();
        string outText, errText;
        lock (stdout)
        {
            outText = stdout.ToString();
        }

        lock (stderr)
        {
            errText = stderr.ToString();
        }

        var exitCode = timedOut ? -1 : process.ExitCode;
        return new ProcessOutcome(new CommandResult(spec.DisplayCommand, exitCode, outText, errText, stopwatch.Elapsed), timedOut);
    }

    private static async Task WriteInputAsync(Process process, string? input)
    {
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited without reading its input: nothing to do.
        }
    }

    // The captured text is the output as the process wrote it (no line ending added, none dropped); the line view
    // (prefixed echo, events) splits it at '\n', without a '\r' before it.
    private static async Task PumpAsync(StreamReader reader, StringBuilder capture, bool isError, Action<OutputLine>? onLine)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            lock (capture)
            {
                if (capture.Length + read > MaxCapturedChars)
                {
                    capture.Remove(0, Math.Min(capture.Length, read + (MaxCapturedChars / 4)));
                }

                capture.Append(buffer, 0, read);
            }

            if (onLine is null)
            {
                continue;
            }

            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                {
                    line.Append(buffer[i]);
                    continue;
                }

                onLine(new OutputLine(LineText(line), isError));
                line.Clear();
            }
        }

        if (onLine is not null && line.Length > 0)
        {
            onLine(new OutputLine(LineText(line), isError));
        }
    }

    private static string LineText(StringBuilder line) =>
        line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();

    private static async Task KillTreeAsync(Process process)
    {
        if (OperatingSystem.IsLinux())
        {
            await FreezeAndKillAsync(process.Id).ConfigureAwait(false);
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }

    private const int SigKill = 9;
    private const int SigStop = 19;

    // Killing a tree process by process races with a shell forking a child right then: the child, missed, would
    // outlive the run. So the tree is first stopped (SIGSTOP) from the root down, each process seen stopped before
    // its children are listed, so that no stopped process can fork any more; then every process of it is killed.
    private static async Task FreezeAndKillAsync(int root)
    {
        var frozen = new List<int>();
        var seen = new HashSet<int>();
        var next = new List<int> { root };
        while (next.Count > 0)
        {
            foreach (var pid in next)
            {
                if (seen.Add(pid) && Kill(pid, SigStop) == 0)
                {
                    frozen.Add(pid);
                    await WaitStoppedAsync(pid).ConfigureAwait(false);
                }
            }

            next = Descendants(frozen, seen);
        }

        foreach (var pid in frozen)
        {
            _ = Kill(pid, SigKill);
        }
    }

    private static async Task WaitStoppedAsync(int pid)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 5);
        while (Stopwatch.GetTimestamp() < deadline && ProcessState(pid) is { } state && state is not ('T' or 't' or 'Z' or 'X'))
        {
            await Task.Yield();
        }
    }

    // The processes whose parent is one of the frozen ones and that are not seen yet.
    private static List<int> Descendants(List<int> frozen, HashSet<int> seen)
    {
        var parents = new HashSet<int>(frozen);
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                !seen.Contains(pid) && ParentOf(pid) is { } parent && parents.Contains(parent))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    private static char? ProcessState(int pid) => ReadStat(pid) is { } fields ? fields[0][0] : null;

    private static int? ParentOf(int pid) =>
        ReadStat(pid) is { Length: > 1 } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;

    // The fields of /proc/PID/stat after the command name (which may hold spaces): state, parent, ...
    private static string[]? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var end = text.LastIndexOf(')');
            return end < 0 || end + 2 >= text.Length ? null : text[(end + 2)..].Split(' ', 3);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>A program could not be started (not found, not executable).</summary>
public sealed class ProcessStartException(ProcessSpec spec, string reason)
    : Exception($"cannot start `{spec.DisplayCommand}`: {reason}")
{
    /// <summary>The process that failed to start.</summary>
    public ProcessSpec Spec { get; } = spec;
}
