using Orchestrate.Cli;
using Orchestrate.Hosting;
using Orchestrate.Planning;
using Spectre.Console;

namespace Orchestrate.Reporting;

/// <summary>
/// Everything that watches one run, built from its request: the live view (on an interactive terminal, without
/// <c>--no-live</c>), the console reporter (stream or grouped output, the report and debrief), the event file
/// (<c>--events</c>), the JSON report (<c>--report</c>) and the plan page (<c>--plan</c>). Disposing flushes and
/// closes them all, whatever the run's outcome (a failure, Ctrl+C).
/// </summary>
internal sealed class RunObservers : IAsyncDisposable
{
    private readonly LiveView? _live;
    private readonly EventStreamWriter? _events;

    private RunObservers(IRunObserver observer, ConsoleReporter console, LiveView? live, EventStreamWriter? events)
    {
        Observer = observer;
        Console = console;
        _live = live;
        _events = events;
    }

    /// <summary>The one observer the run reports to.</summary>
    public IRunObserver Observer { get; }

    /// <summary>The console reporter, for the run's own lines.</summary>
    public ConsoleReporter Console { get; }

    public static RunObservers Open(OrchestratorSettings settings, TaskGraph graph, RunRequest request, TextWriter output)
    {
        var critical = request.Critical ?? false;
        var symbols = ReportSymbols.Detect();
        // The cheap checks first: a redirected run (CI, a pipe, the benchmarks) never loads Spectre.Console.
        var live = !request.NoLive && settings.Output is null && !System.Console.IsOutputRedirected ? OpenLiveView(symbols) : null;

        var reporter = new ConsoleReporter(live?.Writer ?? output, new ConsoleReporterOptions
        {
            Color = request.Color,
            Grouped = request.Output == "grouped",
            Report = new RunReport(graph, symbols) { RunCritical = critical, Limit = RunReport.LimitFromEnvironment() },
        });
        var observers = new List<IRunObserver>();
        if (live is not null)
        {
            observers.Add(live);
        }

        observers.Add(reporter);
        EventStreamWriter? events = null;
        try
        {
            if (request.EventsPath is not null || request.ReportPath is not null || request.PlanPath is not null)
            {
                events = OpenFiles(graph, request, critical, observers);
            }
        }
        catch
        {
            events?.Dispose();
            reporter.Dispose();
            throw;
        }

        var observer = CompositeObserver.Of(observers);
        // A graph that grows while it runs: the tasks its nested runs report join the run's outcome, once each.
        return new RunObservers(Execution.DynamicTasks.Grows(graph) ? new GrowingRunObserver(observer) : observer, reporter, live, events);
    }

    // Apart from Open, so that a run without a live view never loads Spectre.Console.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static LiveView? OpenLiveView(ReportSymbols symbols)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        return LiveView.ShouldUse(noLive: false, outputIsConsole: true, console) ? new LiveView(console, TimeSpan.FromMilliseconds(100), symbols) : null;
    }

    // Apart from Open, so that a run without these files never loads System.Text.Json. Returns the event writer (to dispose).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static EventStreamWriter? OpenFiles(TaskGraph graph, RunRequest request, bool critical, List<IRunObserver> observers)
    {
        EventStreamWriter? events = null;
        if (request.EventsPath is { } eventsPath)
        {
            events = Writable(eventsPath, "--events", EventStreamWriter.Create);
            observers.Add(events);
        }

        try
        {
            if (request.ReportPath is { } reportPath)
            {
                Writable(reportPath, "--report", path => path);
                observers.Add(new JsonReportWriter(Path.GetFullPath(reportPath), graph, critical));
            }

            if (request.PlanPath is { } planPath)
            {
                Writable(planPath, "--plan", path => path);
                observers.Add(new PlanPage(Path.GetFullPath(planPath), graph, critical));
            }
        }
        catch
        {
            events?.Dispose();
            throw;
        }

        return events;
    }

    /// <summary>A temporary file beside <paramref name="path"/>, to write and then move over it: a short name of its
    /// own, so that a file name near the 255-byte limit still has one.</summary>
    internal static string TemporaryBeside(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".orchestrate-{Guid.NewGuid():N}.tmp");

    // Paths are taken from the current directory, as the shell gave them. A file option's path must be writable before anything runs: a bad one is a usage error, not a lost report.
    private static T Writable<T>(string path, string option, Func<string, T> open)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0'))
        {
            throw new UsageException($"{option} {Remote.Inventory.Text.Quote(path)} is not a file path: give the file to write, such as {option} out/run.json");
        }

        var full = Path.GetFullPath(path);
        if (System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(full)) > 255)
        {
            throw new UsageException($"{option}: the file name is longer than the 255 bytes a file name holds: give a shorter one");
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            throw new UsageException($"{option} {path}: the directory {directory} does not exist: create it or give another path");
        }

        try
        {
            return open(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {path}: cannot write the file: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_live is not null)
            {
                await _live.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Console.Dispose();
            _events?.Dispose();
        }
    }
}
