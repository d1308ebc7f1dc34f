using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orchestrate.Scheduling;
using Spectre.Console;

namespace Orchestrate.Reporting;

/// <summary>
/// The live view of a run on an interactive terminal (Spectre.Console's live display): at the bottom, one line
/// per running task (a host task's node is named <c>task:host</c>) with the time it has been running, and a
/// progress line; above it, the run's ordinary lines, written through <see cref="Writer"/>. Only the display's own
/// loop touches the console while the view is up; lines written meanwhile wait for its next tick (at most
/// <c>refresh</c>). When the run ends the view goes away and leaves the lines.
/// </summary>
public sealed class LiveView : IRunObserver, IAsyncDisposable
{
    private const int MaxRunningLines = 12;
    private readonly Lock _gate = new();
    private readonly IAnsiConsole _console;
    private readonly TimeSpan _refresh;
    private readonly char _runningMark;
    private readonly Dictionary<string, long> _running = new(StringComparer.Ordinal);
    private readonly StringBuilder _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private long _runStart = Stopwatch.GetTimestamp();
    private int _total;
    private int _done;
    private int _failed;
    private bool _live;
    private Task _loop = Task.CompletedTask;

    /// <summary>A live view on <paramref name="console"/>, redrawn every <paramref name="refresh"/>.</summary>
    public LiveView(IAnsiConsole console, TimeSpan refresh, ReportSymbols symbols)
    {
        _console = console;
        _refresh = refresh;
        _runningMark = symbols.Running;
        Writer = new LineWriter(this);
    }

    /// <summary>Whole lines written here appear above the live region (or straight on the console when it is not up).</summary>
    public TextWriter Writer { get; }

    /// <summary>Whether a run should show the live view: not with <c>--no-live</c>, not when the output is captured or
    /// redirected, not on a dumb terminal, and only where Spectre.Console finds an interactive ANSI terminal.</summary>
    public static bool ShouldUse(bool noLive, bool outputIsConsole, IAnsiConsole console) =>
        !noLive
        && outputIsConsole
        && !Console.IsOutputRedirected
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal)
        && console.Profile.Capabilities.Ansi
        && console.Profile.Capabilities.Interactive;

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks)
    {
        lock (_gate)
        {
            _runStart = Stopwatch.GetTimestamp();
            _total = tasks.Count;
            _live = true;
        }

        _loop = Task.Run(ShowAsync);
    }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason)
    {
        lock (_gate)
        {
            _running[task] = Stopwatch.GetTimestamp();
        }
    }

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason) { }

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError) { }

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome)
    {
        lock (_gate)
        {
            _running.Remove(outcome.Name);
            _done++;
            // Tasks created while the run goes (a delayed group's sub-tasks) were not in the count at the start.
            _total = Math.Max(_total, _done);
            if (outcome.Status is TaskRunStatus.Failed or TaskRunStatus.TimedOut)
            {
                _failed++;
            }
        }
    }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome) => _stop.Cancel();

    /// <summary>Takes the view down (drawing what is pending), whatever the run's outcome.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task ShowAsync()
    {
        try
        {
            await _console.Live(new Text("")).AutoClear(true).Overflow(VerticalOverflow.Ellipsis).StartAsync(async context =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Draw(context);
                    try
                    {
                        await Task.Delay(_refresh, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                // The region goes first, then the lines still pending; from here on lines go straight to the console.
                context.UpdateTarget(new Text(""));
                context.Refresh();
                lock (_gate)
                {
                    _live = false;
                    WritePending();
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _live = false;
                WritePending();
            }
        }
    }

    private void Draw(LiveDisplayContext context)
    {
        string view;
        lock (_gate)
        {
            WritePending();
            view = Render();
        }

        context.UpdateTarget(new Text(view));
        context.Refresh();
    }

    /// <summary>The live region's text: the running tasks, then the progress line.</summary>
    internal string Render()
    {
        var now = Stopwatch.GetTimestamp();
        var text = new StringBuilder();
        var running = _running.OrderBy(r => r.Value).ToList();
        var width = running.Count == 0 ? 0 : Math.Min(40, running.Max(r => r.Key.Length));
        foreach (var (task, started) in running.Take(MaxRunningLines))
        {
            text.Append(_runningMark).Append(' ').Append(task.PadRight(width)).Append("  ")
                .Append(RunReport.Seconds(Stopwatch.GetElapsedTime(started, now))).Append('\n');
        }

        if (running.Count > MaxRunningLines)
        {
            text.Append("  ... and ").Append(running.Count - MaxRunningLines).Append(" more running\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"[{_done}/{_total}] {running.Count} running, {_done} done");
        if (_failed > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {_failed} failed");
        }

        text.Append(", ").Append(RunReport.Seconds(Stopwatch.GetElapsedTime(_runStart, now)));
        return text.ToString();
    }

    // Under _gate.
    private void WritePending()
    {
        if (_pending.Length > 0)
        {
            // Written as is: the lines carry their own colours, and the terminal wraps them.
            _console.Write(new ControlCode(_pending.ToString()));
            _pending.Clear();
        }
    }

    private void WriteLine(string line)
    {
        lock (_gate)
        {
            _pending.Append(line).Append('\n');
            if (!_live)
            {
                WritePending();
            }
        }
    }

    /// <summary>Collects characters into lines for the view.</summary>
    private sealed class LineWriter(LiveView view) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    view.WriteLine(_line.ToString());
                    _line.Clear();
                }
                else if (value != '\r')
                {
                    _line.Append(value);
                }
            }
        }

        public override void Write(string? value)
        {
            if (value is null)
            {
                return;
            }

            lock (_line)
            {
                foreach (var c in value)
                {
                    Write(c);
                }
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_line)
            {
                _line.Append(value);
                view.WriteLine(_line.ToString());
                _line.Clear();
            }
        }
    }
}
