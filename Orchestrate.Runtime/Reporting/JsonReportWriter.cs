using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Orchestrate.Planning;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>
/// <c>--report FILE</c>: when the run ends (however it ends), the final state of every task of the run as one JSON
/// document: status, duration, when it started, why it ran, whether it is critical or forever, what it required,
/// and its error. Written to a temporary file beside <c>FILE</c>, then moved over it, so a reader never sees half
/// a report.
/// </summary>
public sealed class JsonReportWriter : IRunObserver
{
    private const int ErrorLines = 20;
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly TaskGraph _graph;
    private readonly bool _runCritical;
    private readonly Dictionary<string, string> _reasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _started = new(StringComparer.Ordinal);
    private long _runStart = Stopwatch.GetTimestamp();
    private DateTimeOffset _startTime = DateTimeOffset.UtcNow;

    /// <summary>Writes the report of a run of <paramref name="graph"/>'s tasks to <paramref name="path"/>.</summary>
    /// <param name="path">The report file.</param>
    /// <param name="graph">The graph the run's tasks come from (for what each required, and its attributes).</param>
    /// <param name="runCritical">The run's default for tasks that do not say whether they are critical.</param>
    public JsonReportWriter(string path, TaskGraph graph, bool runCritical)
    {
        _path = path;
        _graph = graph;
        _runCritical = runCritical;
    }

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks)
    {
        _runStart = Stopwatch.GetTimestamp();
        _startTime = DateTimeOffset.UtcNow;
    }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason)
    {
        lock (_gate)
        {
            _reasons[task] = reason;
            _started[task] = Stopwatch.GetElapsedTime(_runStart);
        }
    }

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason)
    {
        lock (_gate)
        {
            _reasons[task] = reason;
        }
    }

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError) { }

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome) { }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome)
    {
        var temporary = RunObservers.TemporaryBeside(_path);
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            lock (_gate)
            {
                Write(json, outcome);
            }
        }

        File.Move(temporary, _path, overwrite: true);
    }

    private void Write(Utf8JsonWriter json, RunOutcome outcome)
    {
        json.WriteStartObject();
        json.WriteNumber("version", 1);
        json.WriteString("status", outcome.Cancelled ? "cancelled" : outcome.Succeeded ? "succeeded" : "failed");
        json.WriteString("started", _startTime);
        json.WriteNumber("duration", Math.Round(outcome.Duration.TotalSeconds, 6));
        json.WriteBoolean("timedOut", outcome.TimedOut);
        if (outcome.AbortedBy is null)
        {
            json.WriteNull("abortedBy");
        }
        else
        {
            json.WriteString("abortedBy", outcome.AbortedBy);
        }

        json.WriteStartObject("counts");
        foreach (var group in outcome.Tasks.GroupBy(t => t.Status).OrderBy(g => g.Key))
        {
            json.WriteNumber(StatusNames.Json(group.Key), group.Count());
        }

        json.WriteEndObject();
        json.WriteStartArray("tasks");
        var number = 0;
        foreach (var task in outcome.Tasks)
        {
            number++;
            TaskDescriptor descriptor;
            IReadOnlyList<string>? grownRequires = null;
            var index = -1;
            if (outcome.Grown is { } grown && grown.TryGetValue(task.Name, out var grownTask))
            {
                // A task the run learnt of while it went (a delayed group's sub-task), or the group that made it.
                (descriptor, grownRequires) = (grownTask.Descriptor, grownTask.Requires);
            }
            else
            {
                _graph.TryFind(task.Name, out index);
                descriptor = _graph.Tasks[index];
            }

            json.WriteStartObject();
            json.WriteNumber("number", number);
            json.WriteString("name", task.Name);
            json.WriteString("status", StatusNames.Json(task.Status));
            json.WriteNumber("duration", Math.Round(task.Duration.TotalSeconds, 6));
            if ((task.Started ?? (_started.TryGetValue(task.Name, out var s) ? s : null)) is { } started)
            {
                json.WriteNumber("started", Math.Round(started.TotalSeconds, 6));
            }
            else
            {
                json.WriteNull("started");
            }

            WriteOptional(json, "reason", _reasons.GetValueOrDefault(task.Name));
            json.WriteBoolean("critical", descriptor.Critical ?? _runCritical);
            json.WriteBoolean("forever", descriptor.IsForever);
            WriteOptional(json, "host", task.Host);
            WriteOptional(json, "blockedBy", task.BlockedBy);
            json.WriteStartArray("requires");
            if (grownRequires is not null)
            {
                foreach (var name in grownRequires)
                {
                    json.WriteStringValue(name);
                }
            }
            else
            {
                foreach (var dependency in _graph.Dependencies[index])
                {
                    json.WriteStringValue(_graph.Tasks[dependency.Task].Name);
                }
            }

            json.WriteEndArray();
            if (task.Error is null)
            {
                json.WriteNull("error");
            }
            else
            {
                json.WriteStartObject("error");
                json.WriteString("summary", FailureText.Summary(task.Error));
                json.WriteStartArray("output");
                foreach (var line in FailureText.Details(task.Error, ErrorLines))
                {
                    json.WriteStringValue(line);
                }

                json.WriteEndArray();
                json.WriteStartArray("stack");
                foreach (var line in FailureText.StackTrace(task.Error, ErrorLines))
                {
                    json.WriteStringValue(line);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
