using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>
/// <c>--events FILE</c>: the run as JSON lines, one event per line: <c>run-start</c>, <c>task-start</c> (with its
/// reason), <c>output</c>, <c>task-finish</c> (status, duration, error), <c>skip</c> (a task that ran nothing: up to
/// date, ignored, blocked, not run, cancelled before it started, would run, a host task's own node) and
/// <c>run-finish</c>. Every task of the run gets either a <c>task-start</c> then a <c>task-finish</c>, or one
/// <c>skip</c>. Events are written with <see cref="Utf8JsonWriter"/> into a buffer that goes to the file every
/// 64 KB and at the end of the run; the file is flushed and closed whatever the outcome.
/// </summary>
public sealed class EventStreamWriter : IRunObserver, IDisposable
{
    private const int FlushAt = 1 << 16;
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _gate = new();
    private readonly Stream _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushAt * 2);
    private readonly Utf8JsonWriter _json;
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private long _runStart = Stopwatch.GetTimestamp();
    private bool _closed;

    /// <summary>Writes the events to <paramref name="file"/>, which this writer closes.</summary>
    public EventStreamWriter(Stream file)
    {
        _file = file;
        _json = new Utf8JsonWriter(_buffer, Options);
    }

    /// <summary>Creates (or replaces) the file at <paramref name="path"/>.</summary>
    public static EventStreamWriter Create(string path) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _runStart = Stopwatch.GetTimestamp();
            Begin("run-start");
            _json.WriteString("time", DateTimeOffset.UtcNow);
            _json.WriteStartArray("tasks");
            foreach (var task in tasks)
            {
                _json.WriteStringValue(task);
            }

            _json.WriteEndArray();
            End();
        }
    }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _started.Add(task);
            Begin("task-start");
            _json.WriteString("task", task);
            _json.WriteString("reason", reason);
            End();
        }
    }

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            Begin("skip");
            _json.WriteString("task", task);
            _json.WriteString("status", StatusNames.Json(TaskRunStatus.WouldRun));
            _json.WriteString("reason", reason);
            End();
        }
    }

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            Begin("output");
            _json.WriteString("task", task);
            _json.WriteString("stream", isError ? "stderr" : "stdout");
            _json.WriteString("line", line);
            End();
        }
    }

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome)
    {
        if (outcome.Status == TaskRunStatus.WouldRun)
        {
            return; // written as a skip with its reason when the executor said so
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (_started.Remove(outcome.Name))
            {
                Begin("task-finish");
                _json.WriteString("task", outcome.Name);
                _json.WriteString("status", StatusNames.Json(outcome.Status));
                _json.WriteNumber("duration", Math.Round(outcome.Duration.TotalSeconds, 6));
                if (outcome.Error is not null)
                {
                    _json.WriteString("error", FailureText.Summary(outcome.Error));
                }
            }
            else
            {
                Begin("skip");
                _json.WriteString("task", outcome.Name);
                _json.WriteString("status", StatusNames.Json(outcome.Status));
                if (outcome.BlockedBy is not null)
                {
                    _json.WriteString("blockedBy", outcome.BlockedBy);
                }
            }

            if (outcome.Host is not null)
            {
                _json.WriteString("host", outcome.Host);
            }

            End();
        }
    }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            Begin("run-finish");
            _json.WriteString("status", outcome.Cancelled ? "cancelled" : outcome.Succeeded ? "succeeded" : "failed");
            _json.WriteNumber("duration", Math.Round(outcome.Duration.TotalSeconds, 6));
            _json.WriteBoolean("timedOut", outcome.TimedOut);
            if (outcome.AbortedBy is not null)
            {
                _json.WriteString("abortedBy", outcome.AbortedBy);
            }

            _json.WriteStartObject("counts");
            foreach (var group in outcome.Tasks.GroupBy(t => t.Status).OrderBy(g => g.Key))
            {
                _json.WriteNumber(StatusNames.Json(group.Key), group.Count());
            }

            _json.WriteEndObject();
            End();
            WriteOut(flush: true);
        }
    }

    /// <summary>Writes what is buffered and closes the file (also after a failure or Ctrl+C).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                WriteOut(flush: true);
            }
            finally
            {
                _closed = true;
                _json.Dispose();
                _file.Dispose();
            }
        }
    }

    private void Begin(string name)
    {
        _json.WriteStartObject();
        _json.WriteString("event", name);
        _json.WriteNumber("t", Math.Round(Stopwatch.GetElapsedTime(_runStart).TotalSeconds, 6));
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        // Each event is a value of its own: no comma before the next one.
        _json.Reset(_buffer);
        if (_buffer.WrittenCount >= FlushAt)
        {
            WriteOut(flush: false);
        }
    }

    private void WriteOut(bool flush)
    {
        if (_closed)
        {
            // A task given up on after a cancellation may still write once the file is closed: dropped.
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            return;
        }

        _file.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        if (flush)
        {
            _file.Flush();
        }
    }
}
