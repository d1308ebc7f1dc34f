using System.Diagnostics;
using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;
using static Orchestrate.Bench.Harness;

namespace Orchestrate.Bench;

/// <summary>
/// Scheduler overhead: many tasks with empty bodies, so that everything measured is Orchestrate's own work.
/// Per repetition: graph build + plan (TaskGraph.Build and Closure of every task), then scheduling + execution
/// through Scheduler.RunAsync with the real TaskExecutor (a LocalTaskContext per task, a hop to the thread pool)
/// and, separately, with a raw delegate that returns Task.CompletedTask (the scheduler loop alone).
/// </summary>
internal static class SchedulerBench
{
    private static readonly TaskInvoker Empty = static _ => default;

    public static async Task<int> RunAsync(Options options)
    {
        var sizes = options.Ints("tasks", 100_000, 10_000);
        var shapes = options.Strings("shapes", "wide", "chain");
        var warmup = options.Int("warmup", 2);
        var reps = options.Int("reps", 7);
        var jobs = options.Int("jobs", Environment.ProcessorCount);
        PrintEnvironment();
        Console.WriteLine($"# scheduler: jobs {jobs}, {warmup} warm-up + {reps} measured repetitions, medians");

        foreach (var n in sizes)
        {
            foreach (var shape in shapes)
            {
                var tasks = MakeTasks(shape, n);
                var build = new List<double>();
                var run = new List<double>();
                var raw = new List<double>();
                var total = new List<double>();
                for (var r = -warmup; r < reps; r++)
                {
                    var sample = await OnceAsync(tasks, jobs);
                    if (r >= 0)
                    {
                        build.Add(sample.Build);
                        run.Add(sample.Run);
                        raw.Add(sample.Raw);
                        total.Add(sample.Build + sample.Run);
                    }
                }

                Report(shape, n, "build", build);
                Report(shape, n, "run", run);
                Report(shape, n, "total", total);
                Report(shape, n, "raw", raw);
            }
        }

        return 0;
    }

    private static void Report(string shape, int n, string phase, List<double> ms)
    {
        var median = Median(ms);
        var perTask = median * 1000.0 / n;
        Console.WriteLine($"{shape,-9} n={n,-7} {phase,-6} {F(median),8} ms  {F(perTask),6} us/task  (min {F(ms.Min())}, max {F(ms.Max())} ms)");
        Result($"scheduler.{shape}.{n}.{phase}.us_per_task", perTask);
    }

    private readonly record struct Sample(double Build, double Run, double Raw);

    private static async Task<Sample> OnceAsync(TaskDescriptor[] tasks, int jobs)
    {
        var options = new SchedulerOptions { Jobs = jobs };
        Settle();

        var start = Stopwatch.GetTimestamp();
        var graph = TaskGraph.Build(tasks);
        var plan = graph.Closure(Enumerable.Range(0, tasks.Length));
        var build = Ms(start);
        Check(plan.Length == tasks.Length, "the plan is missing tasks");

        Settle();
        start = Stopwatch.GetTimestamp();
        var executor = new TaskExecutor(graph, NoServices.Instance, new ProcessRunner(), NullRunObserver.Instance, Directory.GetCurrentDirectory());
        var outcome = await Scheduler.RunAsync(graph, plan, executor.ExecuteAsync, options, NullRunObserver.Instance, CancellationToken.None);
        var run = Ms(start);
        CheckAllSucceeded(outcome, tasks.Length);

        Settle();
        start = Stopwatch.GetTimestamp();
        outcome = await Scheduler.RunAsync(graph, plan, static (_, _) => Task.CompletedTask, options, NullRunObserver.Instance, CancellationToken.None);
        var raw = Ms(start);
        CheckAllSucceeded(outcome, tasks.Length);

        return new Sample(build, run, raw);
    }

    /// <summary>wide: independent tasks; chain: task i depends on i-1; wide-join: independent tasks and one that depends on all.</summary>
    public static TaskDescriptor[] MakeTasks(string shape, int n)
    {
        var tasks = new TaskDescriptor[n];
        for (var i = 0; i < n; i++)
        {
            IReadOnlyList<string> dependsOn = shape switch
            {
                "wide" => [],
                "chain" => i == 0 ? [] : [Name(i - 1)],
                "wide-join" => i < n - 1 ? [] : Enumerable.Range(0, n - 1).Select(Name).ToArray(),
                _ => throw new ArgumentException($"unknown shape '{shape}': use wide, chain or wide-join"),
            };
            tasks[i] = new TaskDescriptor { Name = Name(i), Method = "Bench." + Name(i), DependsOn = dependsOn, Invoke = Empty };
        }

        return tasks;
    }

    private static string Name(int i) => "t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void CheckAllSucceeded(RunOutcome outcome, int n)
    {
        var succeeded = outcome.Tasks.Count(t => t.Status == TaskRunStatus.Succeeded);
        Check(succeeded == n, $"{succeeded} of {n} tasks succeeded");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("benchmark run is wrong: " + message);
        }
    }

    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
