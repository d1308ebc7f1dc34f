using System.Globalization;
using System.Text;
using Orchestrate.Planning;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>
/// The end-of-run list, one line per task of the run in topological order, in asynciojobs' manner: its number,
/// the marks of <see cref="ReportSymbols"/>, its name, how long it ran, how it ended (or why it failed) and the
/// numbers of the tasks it required. A long run lists only the tasks that did not end well (see <see cref="Lines"/>).
/// </summary>
public sealed class RunReport
{
    /// <summary>The environment variable that sets <see cref="Limit"/>.</summary>
    public const string LimitVariable = "ORCHESTRATE_REPORT_LINES";

    /// <summary>Runs of up to this many tasks list every task.</summary>
    public const int DefaultLimit = 200;

    private readonly TaskGraph _graph;

    /// <summary>A report on runs of <paramref name="graph"/>'s tasks.</summary>
    public RunReport(TaskGraph graph, ReportSymbols symbols)
    {
        _graph = graph;
        Symbols = symbols;
    }

    /// <summary>The marks used.</summary>
    public ReportSymbols Symbols { get; }

    /// <summary>Whether tasks that do not say are critical (<c>--critical</c>).</summary>
    public bool RunCritical { get; init; }

    /// <summary>Most task lines printed; a run with more tasks lists only those that did not end well, up to this many.</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary><see cref="DefaultLimit"/>, or the number in <see cref="LimitVariable"/>.</summary>
    public static int LimitFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(LimitVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : DefaultLimit;

    /// <summary>True when the task is critical in this run (its own attribute, else the run's default).</summary>
    public bool IsCritical(int index) => _graph.Tasks[index].Critical ?? RunCritical;

    /// <summary>The report's lines: a header with the legend, then the tasks.</summary>
    /// <param name="outcome">The run.</param>
    /// <param name="reasons">Why each task ran or would run, by task name (may lack tasks).</param>
    public IReadOnlyList<string> Lines(RunOutcome outcome, IReadOnlyDictionary<string, string> reasons)
    {
        var tasks = outcome.Tasks;
        if (tasks.Count == 0 || Limit <= 0)
        {
            return [];
        }

        var all = tasks.Count <= Limit;
        var shown = all ? tasks : tasks.Where(t => !EndedWell(t.Status)).Take(Limit).ToList();
        // Numbers only for the lines shown (a large run that ended well shows none).
        var position = new Dictionary<string, int>(shown.Count == 0 ? 0 : tasks.Count, StringComparer.Ordinal);
        for (var k = 0; shown.Count > 0 && k < tasks.Count; k++)
        {
            position[tasks[k].Name] = k;
        }

        var digits = Math.Max(2, tasks.Count.ToString(CultureInfo.InvariantCulture).Length);
        var width = Math.Clamp(shown.Count == 0 ? 4 : shown.Max(t => t.Name.Length), 4, 40);
        var lines = new List<string>(shown.Count + 2) { $"report ({Symbols.Legend}):" };
        var text = new StringBuilder();
        foreach (var task in shown)
        {
            text.Clear();
            var k = position[task.Name];
            var (descriptor, required) = RunTasks.Describe(_graph, outcome, task.Name);
            text.Append((k + 1).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')).Append(' ')
                .Append((descriptor.Critical ?? RunCritical) ? Symbols.Critical : ' ').Append(' ')
                .Append(Outcome(task.Status)).Append(' ')
                .Append(Progress(task)).Append(' ')
                .Append(descriptor.IsForever ? Symbols.Forever : ' ').Append("  ")
                .Append(task.Name.PadRight(width)).Append(' ')
                .Append(Ran(task.Status, task.Duration) ? Seconds(task.Duration).PadLeft(8) : new string(' ', 8)).Append("  ")
                .Append(Detail(task, reasons, outcome.AbortedBy));
            if (required.Count > 0)
            {
                text.Append(" - requires: ");
                for (var r = 0; r < required.Count; r++)
                {
                    var name = required[r];
                    text.Append(r == 0 ? "" : ", ").Append(position.TryGetValue(name, out var p) ? (p + 1).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') : name);
                }
            }

            lines.Add(text.ToString());
        }

        if (!all)
        {
            lines.Add($"({shown.Count} of {tasks.Count} tasks listed: only those that did not end well, as the run has more than {Limit}; {LimitVariable}={tasks.Count} lists them all, --report FILE writes every task's state)");
        }

        return lines;
    }

    /// <summary>True for the statuses a long run's report leaves out.</summary>
    public static bool EndedWell(TaskRunStatus status) =>
        status is TaskRunStatus.Succeeded or TaskRunStatus.UpToDate or TaskRunStatus.Ignored or TaskRunStatus.WouldRun or TaskRunStatus.Joined or TaskRunStatus.Stopped;

    /// <summary>A duration as the report writes it: seconds with two decimals.</summary>
    public static string Seconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.00}s");

    private static bool Ran(TaskRunStatus status, TimeSpan duration) =>
        status is TaskRunStatus.Succeeded or TaskRunStatus.Failed or TaskRunStatus.Tolerated or TaskRunStatus.TimedOut or TaskRunStatus.Stopped
        || (status == TaskRunStatus.Cancelled && duration > TimeSpan.Zero);

    private char Outcome(TaskRunStatus status) => status switch
    {
        TaskRunStatus.Failed or TaskRunStatus.Tolerated => Symbols.Raised,
        TaskRunStatus.Succeeded or TaskRunStatus.UpToDate or TaskRunStatus.Joined or TaskRunStatus.Stopped => Symbols.WentThrough,
        _ => ' ',
    };

    private char Progress(TaskOutcome task) => task.Status switch
    {
        TaskRunStatus.TimedOut => Symbols.Running,
        TaskRunStatus.Cancelled when task.Duration > TimeSpan.Zero => Symbols.Running,
        TaskRunStatus.Succeeded or TaskRunStatus.UpToDate or TaskRunStatus.Joined or TaskRunStatus.Stopped or TaskRunStatus.Failed or TaskRunStatus.Tolerated => Symbols.Complete,
        _ => Symbols.Idle,
    };

    private static string Detail(TaskOutcome task, IReadOnlyDictionary<string, string> reasons, string? abortedBy) => task.Status switch
    {
        TaskRunStatus.Succeeded => "ok",
        TaskRunStatus.WouldRun => reasons.TryGetValue(task.Name, out var why) ? $"would run: {why}" : "would run",
        TaskRunStatus.Joined => task.Host is null ? "all its parts done" : $"all its phases done on {task.Host}",
        TaskRunStatus.Failed when task.Name == abortedBy => $"FAILED, aborted the run: {FailureText.Summary(task.Error)}",
        TaskRunStatus.Failed => $"FAILED: {FailureText.Summary(task.Error)}",
        TaskRunStatus.Tolerated => $"failed, tolerated: {FailureText.Summary(task.Error)}",
        TaskRunStatus.Blocked => $"blocked by {task.BlockedBy}",
        TaskRunStatus.TimedOut => task.Error is null ? "TIMED OUT" : $"TIMED OUT: {FailureText.Summary(task.Error)}",
        TaskRunStatus.Stopped => "stopped (forever task, stopped at the end)",
        TaskRunStatus.Cancelled when task.Duration > TimeSpan.Zero => "cancelled while running",
        TaskRunStatus.Cancelled => "cancelled before it started",
        _ => StatusNames.Words(task.Status),
    };
}
