using System.Text;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>
/// Prints a run as it happens: a line when a task starts, each output line prefixed by its task,
/// a line when it ends, and at the end a summary with one line per failure. Whole lines only, under
/// one lock, so the output of parallel tasks never mixes within a line.
/// </summary>
public sealed class ConsoleReporter : IRunObserver, IDisposable
{
    private const int MaxPrefix = 28;
    private const int FailureLines = 5;
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(50);
    private readonly Lock _gate = new();
    private readonly TextWriter _output;
    private readonly bool _color;
    private readonly Timer _flusher;
    private bool _dirty;
    private int _width = 8;

    /// <summary>Writes to <paramref name="output"/>, which should not flush on every line: lines are
    /// flushed together at most every 50 ms, and at the end of the run, so that a run of ten thousand
    /// up-to-date tasks does not cost ten thousand writes.</summary>
    public ConsoleReporter(TextWriter output, bool color)
    {
        _output = output;
        _color = color;
        _flusher = new Timer(_ => Flush(), null, FlushEvery, FlushEvery);
    }

    /// <summary>A buffered writer on standard output, for <see cref="ConsoleReporter(TextWriter, bool)"/>.</summary>
    public static TextWriter OpenStandardOutput() =>
        new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };

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
        _flusher.Dispose();
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
    }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason) =>
        WriteLine(reason == UpToDate.UpToDateChecker.AlwaysRuns ? $"{Paint("->", Ansi.Cyan)} {task}" : $"{Paint("->", Ansi.Cyan)} {task} ({reason})");

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason) => WriteLine($"{Paint("would run", Ansi.Cyan)} {task} ({reason})");

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError) =>
        WriteLine($"{Paint(task.PadRight(_width), Ansi.Dim)} | {line}");

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome)
    {
        switch (outcome.Status)
        {
            case TaskRunStatus.Succeeded:
                WriteLine($"{Paint("ok", Ansi.Green)} {outcome.Name} ({Seconds(outcome.Duration)})");
                break;
            case TaskRunStatus.UpToDate:
                WriteLine($"{Paint("--", Ansi.Dim)} {outcome.Name} (up to date)");
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
            case TaskRunStatus.Cancelled when outcome.Duration > TimeSpan.Zero:
                WriteLine($"{Paint("cancelled", Ansi.Yellow)} {outcome.Name} ({Seconds(outcome.Duration)})");
                break;
        }
    }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome)
    {
        var text = new StringBuilder();
        // A host task's own node only gathers its hosts: it is not counted as a task of its own.
        var counted = outcome.Tasks.Count(t => t.Status != TaskRunStatus.Joined);
        text.Append(outcome.Cancelled ? "cancelled" : outcome.Succeeded ? "done" : "failed")
            .Append(": ").Append(counted).Append(counted == 1 ? " task" : " tasks")
            .Append(" in ").Append(Seconds(outcome.Duration));
        var parts = new List<string>();
        Add(parts, outcome, TaskRunStatus.Succeeded, "succeeded");
        Add(parts, outcome, TaskRunStatus.UpToDate, "up to date");
        Add(parts, outcome, TaskRunStatus.WouldRun, "would run");
        Add(parts, outcome, TaskRunStatus.Ignored, "ignored");
        Add(parts, outcome, TaskRunStatus.Failed, "failed");
        Add(parts, outcome, TaskRunStatus.Blocked, "blocked by a failure");
        Add(parts, outcome, TaskRunStatus.NotRun, "not run");
        Add(parts, outcome, TaskRunStatus.Cancelled, "cancelled");
        if (parts.Count > 0)
        {
            text.Append(": ").AppendJoin(", ", parts);
        }

        var lines = new List<string> { Paint(text.ToString(), outcome.Succeeded ? Ansi.Green : Ansi.Red) };
        foreach (var task in outcome.Tasks)
        {
            if (task.Status == TaskRunStatus.Failed)
            {
                lines.Add($"{Paint("FAILED", Ansi.Red)} {task.Name}: {FailureText.Summary(task.Error)}");
                foreach (var detail in FailureText.Details(task.Error, FailureLines))
                {
                    lines.Add($"    {detail}");
                }
            }
        }

        lines.AddRange(HostRecap(outcome));
        var blocked = outcome.Tasks.Where(t => t.Status == TaskRunStatus.Blocked).ToList();
        if (blocked.Count > 0)
        {
            lines.Add($"not run, blocked by a failed dependency: {string.Join(", ", blocked.Select(b => $"{b.Name} (needs {b.BlockedBy})"))}");
        }

        var notRun = outcome.Tasks.Where(t => t.Status == TaskRunStatus.NotRun).ToList();
        if (notRun.Count > 0)
        {
            lines.Add($"not run, the run stopped at the first failure (use --keep-going to run them): {string.Join(", ", notRun.Select(t => t.Name))}");
        }

        lock (_gate)
        {
            foreach (var line in lines)
            {
                _output.WriteLine(line);
            }

            _output.Flush();
            _dirty = false;
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

    private static void Add(List<string> parts, RunOutcome outcome, TaskRunStatus status, string label)
    {
        var n = outcome.Count(status);
        if (n > 0)
        {
            parts.Add($"{n} {label}");
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
            _dirty = true;
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
