using System.Text;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>
/// Prints a run as it happens: a line when a task starts, each output line prefixed by its task,
/// a line when it ends, and at the end a summary with one line per failure. Whole lines only, under
/// one lock, so the output of parallel tasks never mixes within a line.
/// </summary>
public sealed class ConsoleReporter(TextWriter output, bool color) : IRunObserver
{
    private const int MaxPrefix = 28;
    private const int FailureLines = 5;
    private readonly Lock _gate = new();
    private int _width = 8;

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
    public void TaskStarted(string task) => WriteLine($"{Paint("->", Ansi.Cyan)} {task}");

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
            case TaskRunStatus.Failed:
                WriteLine($"{Paint("FAILED", Ansi.Red)} {outcome.Name} ({Seconds(outcome.Duration)}): {FailureText.Summary(outcome.Error)}");
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
        text.Append(outcome.Cancelled ? "cancelled" : outcome.Succeeded ? "done" : "failed")
            .Append(": ").Append(outcome.Tasks.Count).Append(outcome.Tasks.Count == 1 ? " task" : " tasks")
            .Append(" in ").Append(Seconds(outcome.Duration));
        var parts = new List<string>();
        Add(parts, outcome, TaskRunStatus.Succeeded, "succeeded");
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
                output.WriteLine(line);
            }

            output.Flush();
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

    private string Paint(string text, string code) => color ? $"{code}{text}{Ansi.Reset}" : text;

    private void WriteLine(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
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
