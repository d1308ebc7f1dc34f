using System.Collections.Concurrent;
using System.Diagnostics;
using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;

namespace Orchestrate.Tests.Runtime;

/// <summary>Hand-made descriptors with run control (critical, forever, timeout, resources, sequence), run either
/// through the real command line (<see cref="Cli"/>) or straight through the scheduler with the real task executor,
/// to see each task's <see cref="TaskOutcome"/>.</summary>
internal sealed class RunControlHarness : IDisposable
{
    public CliHarness Cli { get; } = new();

    /// <summary>Lines the tasks wrote, in the order they wrote them (asynciojobs' prints).</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public string Directory => Cli.Directory;

    public TaskDescriptor Add(
        string name,
        Func<TaskContext, Task> body,
        string[]? dependsOn = null,
        bool? critical = null,
        bool forever = false,
        double? timeout = null,
        ResourceSpec[]? resources = null,
        string[]? sequence = null)
    {
        var descriptor = new TaskDescriptor
        {
            Name = name,
            Method = $"Tests.{name}",
            DependsOn = dependsOn ?? [],
            Critical = critical,
            IsForever = forever,
            Timeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Resources = resources ?? [],
            Sequence = sequence ?? [],
            Invoke = async invocation =>
            {
                var start = Stopwatch.GetTimestamp();
                Cli.Order.Enqueue(name);
                try
                {
                    await body(invocation.Context);
                    return null;
                }
                finally
                {
                    Cli.Times[name] = (start, Stopwatch.GetTimestamp());
                }
            },
        };
        Cli.Tasks.Add(descriptor);
        return descriptor;
    }

    /// <summary>A task that prints <c>-&gt; label</c>, runs <c>sleep seconds</c>, and prints <c>&lt;- label</c>.</summary>
    public TaskDescriptor Sleeper(string name, double seconds, string[]? dependsOn = null, bool? critical = null, ResourceSpec[]? resources = null) =>
        Add(name, async ctx =>
        {
            Log.Enqueue($"-> {name}");
            await ctx.Run("sleep", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Log.Enqueue($"<- {name}");
        }, dependsOn, critical, resources: resources);

    /// <summary>A sequence task: its own body does nothing.</summary>
    public TaskDescriptor Sequence(string name, string[] elements, string[]? dependsOn = null) =>
        Add(name, _ => Task.CompletedTask, dependsOn, sequence: elements);

    /// <summary>Runs <paramref name="roots"/> (and what they need) through the scheduler.</summary>
    public async Task<RunOutcome> RunAsync(string[] roots, SchedulerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var graph = TaskGraph.Build(Cli.Tasks);
        var plan = graph.Closure(roots.Select(r => graph.TryFind(r, out var i) ? i : throw new ArgumentException($"no task {r}")));
        var executor = new TaskExecutor(graph, NoServices.Instance, new ProcessRunner(), NullRunObserver.Instance, Directory);
        return await Scheduler.RunAsync(graph, plan, executor.ExecuteAsync, options ?? new SchedulerOptions { Jobs = 8 }, NullRunObserver.Instance, cancellationToken);
    }

    /// <summary>Start and end of a task's body, in seconds from the first start of any task.</summary>
    public (double Start, double End) Interval(string task)
    {
        var origin = Cli.Times.Values.Min(t => t.Start);
        return ((double)(Cli.Times[task].Start - origin) / Stopwatch.Frequency, (double)(Cli.Times[task].End - origin) / Stopwatch.Frequency);
    }

    /// <summary>The most tasks of <paramref name="tasks"/> whose bodies ran at the same time.</summary>
    public int MostAtOnce(params string[] tasks)
    {
        var events = tasks.SelectMany(t => new[] { (Cli.Times[t].Start, +1), (Cli.Times[t].End, -1) }).OrderBy(e => e.Item1).ThenBy(e => e.Item2);
        int now = 0, most = 0;
        foreach (var (_, delta) in events)
        {
            now += delta;
            most = Math.Max(most, now);
        }

        return most;
    }

    public void Dispose() => Cli.Dispose();

    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

internal static class RunOutcomeExtensions
{
    public static TaskOutcome Of(this RunOutcome outcome, string task) => outcome.Tasks.Single(t => t.Name == task);

    public static TaskRunStatus StatusOf(this RunOutcome outcome, string task) => outcome.Of(task).Status;
}
