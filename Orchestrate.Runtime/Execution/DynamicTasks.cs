using System.Text.Json;
using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;

namespace Orchestrate.Execution;

/// <summary>A task created or completed at run time could not run: one line for the user.</summary>
internal sealed class DynamicTaskException(string message) : Exception(message);

/// <summary>A task could not go on because <paramref name="task"/>, which it learnt at run time that it needs (a
/// sub-task of a delayed group, a dependency of its sub-tasks, a computed dependency), failed: the task is blocked by
/// it, and the failure, reported where it happened, carries the cause.</summary>
internal sealed class DependencyFailedException(string task, string message) : Exception(message)
{
    /// <summary>The task that failed.</summary>
    public string Task { get; } = task;
}

/// <summary>
/// The run-time side of a graph that grows while it runs: groups created after another task
/// (<see cref="DelayedGroupRunner"/>), and tasks whose deps another task computes (<see cref="CalcDepAttribute"/>).
/// Both may learn only at run time that they need a task first (a calc-dep's task deps, a sub-task's dependency or the
/// producer of one of its file deps). Such a task is run then and there if nothing ran it yet, through the same
/// executor, in a nested scheduler run; if the run is already running it, it is awaited. To make "run it once" hold
/// between the run's own scheduler and these nested runs, every task of such a graph starts through one gate: the
/// first to claim a task runs it, the others wait for that run. A graph without these features has no gate: its tasks
/// pay nothing for it.
/// </summary>
internal sealed class DynamicTasks
{
    private readonly TaskGraph _graph;
    private readonly TaskExecutor _executor;
    private readonly Task<TaskRunStatus>?[] _runs;

    private DynamicTasks(TaskGraph graph, TaskExecutor executor)
    {
        _graph = graph;
        _executor = executor;
        _runs = new Task<TaskRunStatus>?[graph.Tasks.Count];
    }

    /// <summary>The gate for a graph with run-time features; null for a graph without.</summary>
    public static DynamicTasks? For(TaskGraph graph, TaskExecutor executor) => Grows(graph) ? new DynamicTasks(graph, executor) : null;

    /// <summary>True when the graph has tasks that learn at run time what they create or need (delayed groups,
    /// calculated deps).</summary>
    public static bool Grows(TaskGraph graph)
    {
        foreach (var task in graph.Tasks)
        {
            if (task.CalcDeps.Count > 0 || IsDelayedGroup(task))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A group whose sub-tasks are created when it runs.</summary>
    public static bool IsDelayedGroup(TaskDescriptor task) => task.YieldsSubTasks && task.CreateAfter is not null && !task.IsHostGroup;

    /// <summary>Runs a task for the run's scheduler; a task a nested run already ran (or is running) is not run
    /// again: its node joins that run (and is not reported twice).</summary>
    public Task<TaskRunStatus> ExecuteAsync(int index, CancellationToken cancellationToken)
    {
        var (run, claimed) = Claim(index, cancellationToken);
        if (claimed)
        {
            return run;
        }

        // A nested run claimed it, and reports it.
        Grown?.JoinedNestedRun(_graph.Tasks[index].Name);
        return JoinAsync(run);
    }

    /// <summary>The run's reporter of tasks nested runs ran, when the run has one.</summary>
    private GrowingRunObserver? Grown => _executor.Observer as GrowingRunObserver;

    /// <summary>Makes sure these tasks of the graph are done before <paramref name="requester"/> goes on: those not run
    /// yet run now (with what they depend on), those running are awaited.</summary>
    /// <exception cref="DynamicTaskException">One of them failed or could not run, or needs the requester itself.</exception>
    public async Task EnsureDoneAsync(IReadOnlyCollection<int> tasks, int requester, string why, CancellationToken cancellationToken)
    {
        if (tasks.Count == 0)
        {
            return;
        }

        var closure = _graph.Closure(tasks);
        var name = _graph.Tasks[requester].Name;
        if (Array.IndexOf(closure, requester) >= 0)
        {
            var culprit = tasks.First(t => _graph.Closure([t]).Contains(requester));
            throw new DynamicTaskException(
                $"task '{name}' needs '{_graph.Tasks[culprit].Name}' first ({why}), which itself runs after '{name}': a cycle: remove one of these dependencies");
        }

        var mine = new bool[_graph.Tasks.Count];
        var options = _executor.NestedOptions;
        var outcome = await Scheduler.RunAsync(_graph, closure, (i, token) =>
        {
            var (run, claimed) = Claim(i, token);
            mine[i] = claimed;
            return claimed ? run : JoinAsync(run);
        }, options, new NestedObserver(_executor.Observer, name, outcome => _graph.TryFind(outcome.Name, out var i) && mine[i]), cancellationToken).ConfigureAwait(false);

        foreach (var task in tasks)
        {
            var run = _runs[task];
            var status = run is { IsCompletedSuccessfully: true } ? run.Result : TaskRunStatus.Failed;
            if (!status.IsDone())
            {
                var reason = run is { IsFaulted: true } ? FailureText.Summary(run.Exception!.InnerException) : "it did not run (a task it needs failed)";
                throw new DependencyFailedException(
                    Blocker(task, run, outcome),
                    $"task '{name}' needs '{_graph.Tasks[task].Name}' first ({why}), which failed: {reason}");
            }
        }
    }

    // The task whose failure stopped a needed task: itself, or what it was blocked by.
    private string Blocker(int task, Task<TaskRunStatus>? run, RunOutcome nested)
    {
        if (run?.Exception?.InnerException is DependencyFailedException failed)
        {
            return failed.Task;
        }

        var name = _graph.Tasks[task].Name;
        if (run is { IsFaulted: true })
        {
            return name;
        }

        var own = nested.Tasks.FirstOrDefault(t => t.Name == name);
        return own?.BlockedBy ?? nested.Tasks.FirstOrDefault(t => t.Status == TaskRunStatus.Failed)?.Name ?? name;
    }

    private (Task<TaskRunStatus> Run, bool Claimed) Claim(int index, CancellationToken cancellationToken)
    {
        var existing = Volatile.Read(ref _runs[index]);
        if (existing is not null)
        {
            return (existing, false);
        }

        var claim = new TaskCompletionSource<TaskRunStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        existing = Interlocked.CompareExchange(ref _runs[index], claim.Task, null);
        if (existing is not null)
        {
            return (existing, false);
        }

        var run = Start(index, cancellationToken);
        _ = run.ContinueWith(
            static (done, state) =>
            {
                var source = (TaskCompletionSource<TaskRunStatus>)state!;
                if (done.IsCompletedSuccessfully)
                {
                    source.SetResult(done.Result);
                }
                else if (done.IsCanceled)
                {
                    source.SetCanceled();
                }
                else
                {
                    source.SetException(done.Exception!.InnerExceptions);
                }
            },
            claim,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return (run, true);
    }

    private Task<TaskRunStatus> Start(int index, CancellationToken cancellationToken)
    {
        var task = _graph.Tasks[index];
        if (IsDelayedGroup(task))
        {
            return Task.Run(() => new DelayedGroupRunner(_graph, _executor, this).RunAsync(index, cancellationToken), cancellationToken);
        }

        return task.CalcDeps.Count > 0
            ? Task.Run(() => RunWithCalculatedDepsAsync(index, task, cancellationToken), cancellationToken)
            : _executor.ExecutePlainAsync(index, cancellationToken);
    }

    // Another run of this task (nested or the scheduler's) did the work: this node only waits for it.
    private static async Task<TaskRunStatus> JoinAsync(Task<TaskRunStatus> run)
    {
        var status = await run.ConfigureAwait(false);
        return status.IsDone() ? TaskRunStatus.Joined : status;
    }

    // doit's calc_dep: the tasks named return CalculatedDeps; their file deps join the task's own (and so its
    // up-to-date check and its record), their task deps and the producers of those files run first. A calc-dep task
    // that was up to date did not run: its recorded result is used.
    private async Task<TaskRunStatus> RunWithCalculatedDepsAsync(int index, TaskDescriptor task, CancellationToken cancellationToken)
    {
        var fileDeps = new List<string>(task.FileDeps);
        var first = new List<int>();
        foreach (var calculator in task.CalcDeps)
        {
            if (Calculated(task, calculator) is not { } deps)
            {
                continue;
            }

            foreach (var fileDep in deps.FileDeps ?? [])
            {
                if (!fileDeps.Contains(fileDep, StringComparer.Ordinal))
                {
                    fileDeps.Add(fileDep);
                }

                if (!Glob.IsPattern(fileDep) && _graph.TryFindTarget(fileDep, out var producer) && producer != index && !first.Contains(producer))
                {
                    first.Add(producer);
                }
            }

            foreach (var name in deps.TaskDeps ?? [])
            {
                if (!_graph.TryFind(name, out var dependency))
                {
                    throw new DynamicTaskException(
                        $"task '{calculator}' computed a task dep '{name}' for '{task.Name}', which is not a task: return the name of a task (see 'list')");
                }

                if (!first.Contains(dependency))
                {
                    first.Add(dependency);
                }
            }
        }

        await EnsureDoneAsync(first, index, $"computed by {string.Join(", ", task.CalcDeps)}", cancellationToken).ConfigureAwait(false);
        var effective = fileDeps.Count == task.FileDeps.Count ? task : SubTaskExpansion.Copy(task, fileDeps: fileDeps);
        return await _executor.ExecuteCoreAsync(index, effective, cancellationToken).ConfigureAwait(false);
    }

    private CalculatedDeps? Calculated(TaskDescriptor task, string calculator)
    {
        if (_executor.Store is not { } store)
        {
            throw new DynamicTaskException($"task '{task.Name}' has its deps computed by '{calculator}', which needs the run's state store: run it from the command line");
        }

        if (!store.TryGet(calculator, out var state))
        {
            // A dry run where the calc-dep task would run first: its result is not known yet.
            return _executor.Mode.DryRun
                ? null
                : throw new DynamicTaskException($"task '{calculator}' computes the deps of '{task.Name}' but has no recorded result: it must return CalculatedDeps");
        }

        try
        {
            return JsonSerializer.Deserialize<CalculatedDeps>(state.Result ?? "null")
                ?? throw new DynamicTaskException($"task '{calculator}' computes the deps of '{task.Name}' but returned nothing: make its method return CalculatedDeps");
        }
        catch (JsonException)
        {
            throw new DynamicTaskException(
                $"task '{calculator}' computes the deps of '{task.Name}' but returned {Shorten(state.Result ?? "null")}: make its method return CalculatedDeps");
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}

/// <summary>The events of a nested scheduler run, run on behalf of <paramref name="owner"/>: task events pass (those
/// <paramref name="report"/> accepts for finished tasks), the run's own start and end do not (they belong to the outer
/// run). The finished tasks join the outer run's outcome when the run has a <see cref="GrowingRunObserver"/>.</summary>
internal sealed class NestedObserver(IRunObserver inner, string owner, Func<TaskOutcome, bool> report) : IRunObserver
{
    private long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    public void RunStarting(IReadOnlyList<string> tasks) => _started = System.Diagnostics.Stopwatch.GetTimestamp();

    public void TaskStarted(string task, string reason) => inner.TaskStarted(task, reason);

    public void TaskWouldRun(string task, string reason) => inner.TaskWouldRun(task, reason);

    public void TaskOutput(string task, string line, bool isError) => inner.TaskOutput(task, line, isError);

    public void TaskFinished(TaskOutcome outcome)
    {
        if (!report(outcome))
        {
            return;
        }

        if (inner is GrowingRunObserver grown)
        {
            grown.NestedTaskFinished(owner, _started, outcome);
        }
        else
        {
            inner.TaskFinished(outcome);
        }
    }

    public void RunFinished(RunOutcome outcome)
    {
        // The outer run reports the end.
    }
}
