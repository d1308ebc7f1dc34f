using System.Text;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>How the console reporter writes a run.</summary>
public sealed record ConsoleReporterOptions
{
    /// <summary>ANSI colours.</summary>
    public bool Color { get; init; }

    /// <summary>Each task's output as one block when the task ends (<c>--output grouped</c>), instead of each line as it comes.</summary>
    public bool Grouped { get; init; }

    /// <summary>The end-of-run list of tasks; null: none (only the summary and the failures).</summary>
    public RunReport? Report { get; init; }
}

/// <summary>
/// Prints a run as it happens: a line when a task starts, each output line prefixed by its task (or, grouped,
/// each task's output as one block when it ends), a line when it ends, and at the end the report (one line per
/// task), a summary, and on failure the debrief: why each task failed, what a timeout cut, which critical task
/// aborted the run. Whole lines only, under one lock, so the output of parallel tasks never mixes within a line.
/// </summary>
public sealed class ConsoleReporter : IRunObserver, IDisposable
{
    private const int MaxPrefix = 28;
    private const int FailureLines = 5;
    private const int StackLines = 12;
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(50);
    private readonly Lock _gate = new();
    private readonly TextWriter _output;
    private readonly bool _color;
    private readonly bool _grouped;
    private readonly RunReport? _report;
    private Timer? _flusher;
    private readonly Dictionary<string, string> _wouldRun = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _groups = new(StringComparer.Ordinal);
    private HashSet<string> _runTasks = new(StringComparer.Ordinal);
    private bool _dirty;
    private int _width = 8;

    /// <summary>Writes to <paramref name="output"/>, which should not flush on every line: lines are
    /// flushed together at most every 50 ms, and at the end of the run, so that a run of ten thousand
    /// up-to-date tasks does not cost ten thousand writes.</summary>
    public ConsoleReporter(TextWriter output, bool color)
        : this(output, new ConsoleReporterOptions { Color = color })
    {
    }

    /// <summary>Writes to <paramref name="output"/> (see <see cref="ConsoleReporter(TextWriter, bool)"/>) as the options say.</summary>
    public ConsoleReporter(TextWriter output, ConsoleReporterOptions options)
    {
        _output = output;
        _color = options.Color;
        _grouped = options.Grouped;
        _report = options.Report;
    }

    // Under _gate. The timer that flushes every 50 ms is made with the first line that is not an up-to-date one: a run
    // in which nothing runs writes its lines as the buffer fills and at its end, and needs neither the timer nor the
    // thread that fires it.
    private void MarkDirty(bool timely = true)
    {
        _dirty = true;
        if (timely)
        {
            _flusher ??= new Timer(_ => Flush(), null, FlushEvery, FlushEvery);
        }
    }

    /// <summary>A buffered writer on standard output, for <see cref="ConsoleReporter(TextWriter, bool)"/>.</summary>
    public static TextWriter OpenStandardOutput() =>
        new StreamWriter(StandardOutputStream.Open(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };

    /// <summary>Writes what is buffered.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_dirty)
            {
                _output.Flush();
                _dirty = false;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _flusher?.Dispose();
        }

        Flush();
    }

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks)
    {
        var widest = 0;
        foreach (var t in tasks)
        {
            widest = Math.Max(widest, t.Length);
        }

        _width = Math.Clamp(widest, 4, MaxPrefix);
        if (_grouped)
        {
            lock (_gate)
            {
                _runTasks = new HashSet<string>(tasks, StringComparer.Ordinal);
            }
        }
    }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason)
    {
        if (_grouped)
        {
            lock (_gate)
            {
                // A task created while the run goes (a sub-task of a delayed group) is a task of the run too.
                _runTasks.Add(task);
            }
        }

        WriteLine(reason == UpToDate.UpToDateChecker.AlwaysRuns ? $"{Paint("->", Ansi.Cyan)} {task}" : $"{Paint("->", Ansi.Cyan)} {task} ({reason})");
    }

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason)
    {
        lock (_gate)
        {
            _wouldRun[task] = reason;
        }

        WriteLine($"{Paint("would run", Ansi.Cyan)} {task} ({reason})");
    }

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError)
    {
        var text = $"{Paint(task.PadRight(_width), Ansi.Dim)} | {line}";
        if (_grouped)
        {
            lock (_gate)
            {
                // Lines of a task of the run wait for its end; others (a logger outside any task) go out now.
                if (_runTasks.Contains(task))
                {
                    if (!_groups.TryGetValue(task, out var group))
                    {
                        _groups[task] = group = [];
                    }

                    group.Add(text);
                    return;
                }
            }
        }

        WriteLine(text);
    }

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome)
    {
        if (_grouped)
        {
            lock (_gate)
            {
                if (_groups.Remove(outcome.Name, out var group))
                {
                    foreach (var line in group)
                    {
                        _output.WriteLine(line);
                    }

                    MarkDirty();
                }

                Finished(outcome);
            }

            return;
        }

        Finished(outcome);
    }

    private void Finished(TaskOutcome outcome)
    {
        switch (outcome.Status)
        {
            case TaskRunStatus.Succeeded:
                WriteLine($"{Paint("ok", Ansi.Green)} {outcome.Name} ({Seconds(outcome.Duration)})");
                break;
            case TaskRunStatus.UpToDate:
                // The line of a no-op run's every task: written in pieces, without making the line.
                lock (_gate)
                {
                    _output.Write(Paint("--", Ansi.Dim));
                    _output.Write(' ');
                    _output.Write(outcome.Name);
                    _output.WriteLine(" (up to date)");
                    MarkDirty(timely: false);
                }

                break;
            case TaskRunStatus.Ignored:
                WriteLine($"{Paint("!!", Ansi.Yellow)} {outcome.Name} (ignored)");
                break;
            case TaskRunStatus.Failed when !Remote.RemoteErrors.IsUnreachable(outcome.Error):
                WriteLine($"{Paint("FAILED", Ansi.Red)} {outcome.Name} ({Seconds(outcome.Duration)}): {FailureText.Summary(outcome.Error)}");
                break;
            case TaskRunStatus.Failed when Remote.RemoteErrors.IsUnreachable(outcome.Error):
                WriteLine($"{Paint("UNREACHABLE", Ansi.Red)} {outcome.Name}: {FailureText.Summary(outcome.Error)}");
                break;
            case TaskRunStatus.Tolerated:
                WriteLine($"{Paint("FAILED (tolerated)", Ansi.Yellow)} {outcome.Name} ({Seconds(outcome.Duration)}): {FailureText.Summary(outcome.Error)}");
                break;
            case TaskRunStatus.TimedOut:
                WriteLine($"{Paint("TIMED OUT", Ansi.Red)} {outcome.Name} ({Seconds(outcome.Duration)})");
                break;
            case TaskRunStatus.Stopped:
                WriteLine($"{Paint("stopped", Ansi.Dim)} {outcome.Name} ({Seconds(outcome.Duration)})");
                break;
            case TaskRunStatus.Cancelled when outcome.Duration > TimeSpan.Zero:
                WriteLine($"{Paint("cancelled", Ansi.Yellow)} {outcome.Name} ({Seconds(outcome.Duration)})");
                break;
        }
    }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome)
    {
        var tally = new Tally(outcome);
        var lines = new List<string>();
        if (_report is not null)
        {
            Dictionary<string, string> reasons;
            lock (_gate)
            {
                reasons = new Dictionary<string, string>(_wouldRun, StringComparer.Ordinal);
            }

            foreach (var line in _report.Lines(outcome, reasons))
            {
                lines.Add(line.Contains(" FAILED", StringComparison.Ordinal) || line.Contains(" TIMED OUT", StringComparison.Ordinal) ? Paint(line, Ansi.Red) : line);
            }
        }

        lines.Add(Paint(SummaryLine(outcome, tally), tally.Succeeded ? Ansi.Green : Ansi.Red));
        // What a run that ended well has none of is not looked for (on a no-op run of 100,000 tasks each look is a pass).
        if (outcome.AbortedBy is not null || outcome.TimedOut || tally.Failures > 0)
        {
            lines.AddRange(Debrief(outcome));
        }

        if (tally.AnyHost)
        {
            lines.AddRange(HostRecap(outcome));
        }

        if (tally[TaskRunStatus.Blocked] > 0)
        {
            var blocked = outcome.Tasks.Where(t => t.Status == TaskRunStatus.Blocked);
            lines.Add($"not run, blocked by a failed dependency: {string.Join(", ", blocked.Select(b => $"{b.Name} (needs {b.BlockedBy})"))}");
        }

        if (tally[TaskRunStatus.NotRun] > 0)
        {
            var names = string.Join(", ", outcome.Tasks.Where(t => t.Status == TaskRunStatus.NotRun).Select(t => t.Name));
            lines.Add(outcome switch
            {
                { AbortedBy: not null } => $"not run, the run was aborted: {names}",
                { TimedOut: true } => $"not run, the run's --timeout expired first: {names}",
                { Cancelled: true } => $"not run, the run was cancelled: {names}",
                _ => $"not run, the run stopped at the first failure (use --keep-going to run them): {names}",
            });
        }

        lock (_gate)
        {
            // Blocks of tasks that never reported an end (given up on after a cancellation) are not lost.
            foreach (var group in _groups.Values)
            {
                foreach (var line in group)
                {
                    _output.WriteLine(line);
                }
            }

            _groups.Clear();
            foreach (var line in lines)
            {
                _output.WriteLine(line);
            }

            _output.Flush();
            _dirty = false;
        }
    }

    private static readonly TaskRunStatus[] Counted =
    [
        TaskRunStatus.Succeeded, TaskRunStatus.UpToDate, TaskRunStatus.WouldRun, TaskRunStatus.Ignored, TaskRunStatus.Stopped,
        TaskRunStatus.Failed, TaskRunStatus.Tolerated, TaskRunStatus.TimedOut, TaskRunStatus.Blocked, TaskRunStatus.NotRun, TaskRunStatus.Cancelled,
    ];

    /// <summary>"done: 4 tasks in 0.21s: 4 succeeded": how the run ended and how many tasks ended each way.</summary>
    private static string SummaryLine(RunOutcome outcome, Tally tally)
    {
        var text = new StringBuilder();
        // A host task's own node only gathers its hosts: it is not counted as a task of its own.
        var counted = outcome.Tasks.Count - tally[TaskRunStatus.Joined];
        text.Append(outcome.Cancelled ? "cancelled" : outcome.TimedOut ? "timed out" : outcome.AbortedBy is not null ? "aborted" : tally.Succeeded ? "done" : "failed")
            .Append(": ").Append(counted).Append(counted == 1 ? " task" : " tasks")
            .Append(" in ").Append(Seconds(outcome.Duration));
        var parts = new List<string>();
        foreach (var status in Counted)
        {
            var n = tally[status];
            if (n > 0)
            {
                parts.Add($"{n} {StatusNames.Words(status)}");
            }
        }

        if (parts.Count > 0)
        {
            text.Append(": ").AppendJoin(", ", parts);
        }

        return text.ToString();
    }

    /// <summary>How many tasks of a run ended each way, in one pass over them.</summary>
    private sealed class Tally
    {
        private readonly int[] _counts = new int[(int)TaskRunStatus.Stopped + 1];

        public Tally(RunOutcome outcome)
        {
            var allDone = true;
            foreach (var task in outcome.Tasks)
            {
                _counts[(int)task.Status]++;
                allDone &= task.Status.IsDone();
                AnyHost |= task.Host is not null;
            }

            Succeeded = !outcome.Cancelled && allDone;
            Failures = this[TaskRunStatus.Failed] + this[TaskRunStatus.Tolerated] + this[TaskRunStatus.TimedOut];
        }

        public int this[TaskRunStatus status] => _counts[(int)status];

        /// <summary>As <see cref="RunOutcome.Succeeded"/>.</summary>
        public bool Succeeded { get; }

        /// <summary>Tasks whose end the debrief explains: failed, tolerated, timed out.</summary>
        public int Failures { get; }

        public bool AnyHost { get; }
    }

    /// <summary>What went wrong, asynciojobs' debrief: the critical task that aborted the run, what a timeout cut,
    /// and for each failure its cause (command, exit code and last output lines, or the exception and its stack).</summary>
    private IEnumerable<string> Debrief(RunOutcome outcome)
    {
        if (outcome.AbortedBy is { } critical)
        {
            yield return $"{Paint("ABORTED", Ansi.Red)} by the critical task {critical}: its failure cancelled the running tasks and started nothing more";
        }

        var timedOut = outcome.Tasks.Where(t => t.Status == TaskRunStatus.TimedOut).Select(t => t.Name).ToList();
        if (outcome.TimedOut)
        {
            yield return timedOut.Count > 0
                ? $"{Paint("TIMED OUT", Ansi.Red)}: the run's time limit (--timeout) cut {string.Join(", ", timedOut)}"
                : $"{Paint("TIMED OUT", Ansi.Red)}: the run's time limit (--timeout) was reached";
        }
        else if (timedOut.Count > 0)
        {
            yield return $"{Paint("TIMED OUT", Ansi.Red)}: cut by their own time limit ([Timeout]): {string.Join(", ", timedOut)}";
        }

        foreach (var task in outcome.Tasks)
        {
            var label = task.Status switch
            {
                TaskRunStatus.Failed => Paint("FAILED", Ansi.Red),
                TaskRunStatus.Tolerated => Paint("FAILED (tolerated)", Ansi.Yellow),
                TaskRunStatus.TimedOut when task.Error is not null => Paint("TIMED OUT", Ansi.Red),
                _ => null,
            };
            if (label is null)
            {
                continue;
            }

            yield return $"{label} {task.Name}: {FailureText.Summary(task.Error)}";
            foreach (var detail in FailureText.Details(task.Error, FailureLines))
            {
                yield return $"    {detail}";
            }

            foreach (var frame in FailureText.StackTrace(task.Error, StackLines))
            {
                yield return $"    {frame}";
            }
        }
    }

    /// <summary>One line per host, as Ansible's play recap: what ran, what was up to date, what failed and why not.</summary>
    private IEnumerable<string> HostRecap(RunOutcome outcome)
    {
        var byHost = outcome.Tasks.Where(t => t.Host is not null).GroupBy(t => t.Host!).ToList();
        if (byHost.Count == 0)
        {
            yield break;
        }

        var width = byHost.Max(g => g.Key.Length);
        yield return "recap:";
        foreach (var host in byHost)
        {
            int Count(Func<TaskOutcome, bool> predicate) => host.Count(predicate);
            var unreachable = Count(t => t.Status == TaskRunStatus.Failed && Remote.RemoteErrors.IsUnreachable(t.Error));
            var failed = Count(t => t.Status == TaskRunStatus.Failed) - unreachable;
            var line = $"  {host.Key.PadRight(width)}  ran={Count(t => t.Status == TaskRunStatus.Succeeded)} up-to-date={Count(t => t.Status == TaskRunStatus.UpToDate)} " +
                $"failed={failed} unreachable={unreachable} skipped={Count(t => t.Status is TaskRunStatus.Blocked or TaskRunStatus.NotRun or TaskRunStatus.Cancelled or TaskRunStatus.Ignored)}";
            yield return failed + unreachable > 0 ? Paint(line, Ansi.Red) : line;
        }
    }

    private static string Seconds(TimeSpan duration) => $"{duration.TotalSeconds:0.00}s";

    private string Paint(string text, string code) => _color ? $"{code}{text}{Ansi.Reset}" : text;

    /// <summary>Writes one whole line (the run's other reporters, such as dry runs, use it too).</summary>
    public void WriteLine(string line)
    {
        lock (_gate)
        {
            _output.WriteLine(line);
            MarkDirty();
        }
    }

    private static class Ansi
    {
        public const string Reset = "\u001b[0m";
        public const string Red = "\u001b[31m";
        public const string Green = "\u001b[32m";
        public const string Yellow = "\u001b[33m";
        public const string Cyan = "\u001b[36m";
        public const string Dim = "\u001b[2m";
    }
}
