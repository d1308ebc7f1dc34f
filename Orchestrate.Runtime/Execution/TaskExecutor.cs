using System.Text.Json;
using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;
using Orchestrate.UpToDate;

namespace Orchestrate.Execution;

/// <summary>How a run treats the up-to-date state.</summary>
/// <param name="Always">Run every task, up to date or not (<c>run --always</c>).</param>
/// <param name="DryRun">Run nothing; say what would run and why (<c>run --dry-run</c>).</param>
internal sealed record ExecutionMode(bool Always = false, bool DryRun = false);

/// <summary>
/// Runs one task of the graph: decides whether it is up to date, runs its generated invoker on the
/// thread pool (so that a task whose body blocks does not hold up the scheduler), and records its
/// success — with its file deps as they were before it ran — before its dependents may start.
/// </summary>
internal sealed class TaskExecutor
{
    private readonly TaskGraph _graph;
    private readonly Func<CancellationToken, ValueTask<IServiceProvider>> _services;
    private readonly ProcessRunner _runner;
    private readonly IRunObserver _observer;
    private readonly string _projectDirectory;
    private readonly StateStore? _store;
    private readonly UpToDateChecker? _checker;
    private readonly ExecutionMode _mode;
    private readonly TimeProvider _clock;
    private readonly bool[] _wouldRun;
    private readonly bool[] _ignored;
    private readonly Remote.RemoteNodeRunner? _remote;
    private readonly DynamicTasks? _dynamic;
    private readonly bool[] _ran;
    private CheckAhead? _ahead;

    /// <summary>An executor without a state store: every task runs (embedding, benchmarks).</summary>
    public TaskExecutor(TaskGraph graph, IServiceProvider services, ProcessRunner runner, IRunObserver observer, string projectDirectory)
        : this(graph, _ => ValueTask.FromResult(services), runner, observer, projectDirectory, null, new ExecutionMode(), TimeProvider.System)
    {
    }

    /// <summary>An executor whose services are fetched (built) when first needed.</summary>
    public TaskExecutor(TaskGraph graph, Func<CancellationToken, ValueTask<IServiceProvider>> services, ProcessRunner runner, IRunObserver observer, string projectDirectory, StateStore? store, ExecutionMode mode, TimeProvider clock, Remote.RemoteNodeRunner? remote = null)
    {
        _remote = remote;
        _graph = graph;
        _services = services;
        _runner = runner;
        _observer = observer;
        _projectDirectory = projectDirectory;
        _store = store;
        _mode = mode;
        _clock = clock;
        _checker = store is null ? null : new UpToDateChecker(store, projectDirectory, services, clock);
        _wouldRun = mode.DryRun ? new bool[graph.Tasks.Count] : [];
        _ignored = new bool[graph.Tasks.Count];
        _ran = new bool[graph.Tasks.Count];
        _dynamic = DynamicTasks.For(graph, this);
    }

    /// <summary>Starts checking plain file tasks of the plan ahead of the scheduler, on another core (large runs only).</summary>
    public void CheckAhead(int[] plan, CancellationToken cancellationToken)
    {
        if (CanCheckAhead)
        {
            _ahead = Execution.CheckAhead.Start(_graph, plan, _checker!, IsPlain, _ran, cancellationToken);
        }
    }

    /// <summary>
    /// For a large plan made only of plain file tasks: checks every task at once, on every core, before anything runs,
    /// and returns which tasks of the plan are settled: up to date, not ignored, and depending only on settled tasks.
    /// Nothing a settled task depends on will run, so its decision holds: the scheduler reports it up to date without
    /// running it. The other tasks go through the scheduler, which uses their decisions while no dependency ran since.
    /// Null when the plan does not qualify (then <see cref="CheckAhead"/> applies).
    /// </summary>
    public bool[]? Settle(int[] plan, CancellationToken cancellationToken)
    {
        if (!CanCheckAhead || !Execution.CheckAhead.WorthChecking(plan))
        {
            return null;
        }

        foreach (var index in plan)
        {
            if (!IsPlain(index))
            {
                return null;
            }
        }

        _ahead = Execution.CheckAhead.CheckAll(_graph, plan, _checker!, _ran, cancellationToken);
        Hosting.PhaseTrace.Mark("plan checked");
        var settledTask = new bool[_graph.Tasks.Count];
        var settled = new bool[plan.Length];
        for (var k = 0; k < plan.Length; k++)
        {
            // The plan is in topological order: a task's dependencies are decided before it.
            var index = plan[k];
            var decision = _ahead.Decision(index);
            var ok = decision is { Run: false } && !_store!.IsIgnored(_graph.Tasks[index].Name);
            foreach (var dependency in _graph.Dependencies[index])
            {
                ok &= settledTask[dependency.Task];
            }

            if (ok)
            {
                RecordRefresh(_graph.Tasks[index], decision!);
            }

            settled[k] = settledTask[index] = ok;
        }

        return settled;
    }

    private bool CanCheckAhead => _checker is not null && _store is not null && !_mode.DryRun && !_mode.Always && _dynamic is null;

    // A task whose up-to-date check runs no user code and needs no host: it can be checked on any thread, at any time.
    private bool IsPlain(int index)
    {
        var task = _graph.Tasks[index];
        return !task.IsHostGroup && task.Host is null && task.Hosts is null && !CallsUserCode(task);
    }

    private static readonly Task<TaskRunStatus> UpToDate = Task.FromResult(TaskRunStatus.UpToDate);
    private static readonly Task<TaskRunStatus> Ignored = Task.FromResult(TaskRunStatus.Ignored);
    private static readonly Task<TaskRunStatus> Joined = Task.FromResult(TaskRunStatus.Joined);

    public Task<TaskRunStatus> ExecuteAsync(int index, CancellationToken cancellationToken) =>
        _dynamic is null ? ExecutePlainAsync(index, cancellationToken) : _dynamic.ExecuteAsync(index, cancellationToken);

    /// <summary>Runs one task without the run-time features of <see cref="DynamicTasks"/> (the only path of a graph without them).</summary>
    internal Task<TaskRunStatus> ExecutePlainAsync(int index, CancellationToken cancellationToken)
    {
        var task = _graph.Tasks[index];
        if (task.IsHostGroup)
        {
            // A group of sub-tasks made when the graph was loaded: its node depends on each of them.
            return task.YieldsSubTasks && _store is not null && !_mode.DryRun
                ? JoinGroupAsync(task.Name, SubTaskNames(task))
                : Joined;
        }

        if (task.Hosts is not null && task.Host is null)
        {
            return Task.FromException<TaskRunStatus>(new Cli.UsageException(
                $"task '{task.Name}' runs on hosts '{task.Hosts}', but no inventory is configured: add an Inventory section to appsettings.json, or pass --inventory FILE"));
        }

        if (task.Host is not null)
        {
            return Task.Run(() => ExecuteRemoteAsync(index, task, cancellationToken), cancellationToken);
        }

        if (_store is null || _checker is null || _mode.DryRun || CallsUserCode(task))
        {
            return Task.Run(() => ExecuteCoreAsync(index, cancellationToken), cancellationToken);
        }

        if (IsIgnored(index, task))
        {
            return Ignored;
        }

        // The check of file deps, targets and built-in rules runs no user code and takes microseconds:
        // do it here, on the scheduler's thread, so that an up-to-date task costs no thread hop. Only a
        // task that must run goes to the thread pool.
        UpToDateDecision decision;
        if (_ahead is null || !_ahead.TryTake(index, out decision))
        {
            var check = _checker.CheckAsync(task, _mode.Always, cancellationToken);
            if (!check.IsCompletedSuccessfully)
            {
                return Task.Run(() => ExecuteCoreAsync(index, cancellationToken), cancellationToken);
            }

            decision = check.GetAwaiter().GetResult();
        }

        if (decision.Run)
        {
            // On the run's spare thread when it waits for work (a run that runs one task then starts no thread pool).
            return SpareThread.TryRun(() => RunAsync(task, decision, cancellationToken))
                ?? Task.Run(() => RunAsync(task, decision, cancellationToken), cancellationToken);
        }

        RecordRefresh(task, decision);
        return UpToDate;
    }

    // An up-to-date task whose touched files were read again: their new sizes and times are recorded.
    private void RecordRefresh(TaskDescriptor task, UpToDateDecision decision)
    {
        if (decision.Refreshed is { } state)
        {
            _store!.Refresh(task.Name, state);
        }
    }

    private async Task<TaskRunStatus> ExecuteRemoteAsync(int index, TaskDescriptor task, CancellationToken cancellationToken)
    {
        CurrentTask.Name = task.Name;
        if (_remote is null)
        {
            throw new InvalidOperationException($"task '{task.Name}' runs on a host, but the run has no remote transport");
        }

        if (_store is not null && IsIgnored(index, task))
        {
            return TaskRunStatus.Ignored;
        }

        UpToDateDecision? decision = null;
        IReadOnlyDictionary<string, string>? recorded = null;
        if (_checker is not null)
        {
            decision = await CheckOrRecordFailureAsync(task, cancellationToken).ConfigureAwait(false);
            recorded = _store!.TryGet(task.Name, out var previous) ? previous.Values : null;
            decision = await _remote.DecideAsync(task, decision, recorded, _mode.Always, cancellationToken).ConfigureAwait(false);

            if (!decision.Run)
            {
                return TaskRunStatus.UpToDate;
            }

            if (_mode.DryRun)
            {
                _wouldRun[index] = true;
                _observer.TaskWouldRun(task.Name, decision.Reason);
                return TaskRunStatus.WouldRun;
            }
        }

        _observer.TaskStarted(task.Name, decision?.Reason ?? UpToDateChecker.AlwaysRuns);
        object? result;
        IReadOnlyDictionary<string, string> remoteStamps;
        try
        {
            var services = await ServicesFor(task, cancellationToken).ConfigureAwait(false);
            (result, remoteStamps) = await _remote.RunAsync(task, services, recorded, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (_store is not null)
            {
                await _store.RecordFailureAsync(task.Name).ConfigureAwait(false);
            }

            throw;
        }

        if (_store is not null && decision is not null)
        {
            var values = remoteStamps.Count == 0 ? decision.Values : decision.Values.Concat(remoteStamps).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            await _store.SaveAsync(task.Name, new TaskState(_clock.GetUtcNow(), ToJson(result), decision.Files, values)).ConfigureAwait(false);
            MarkRan(task);
        }

        return TaskRunStatus.Succeeded;
    }

    private static IEnumerable<string> SubTaskNames(TaskDescriptor group)
    {
        var prefix = group.Name + ":";
        return group.DependsOn.Where(name => name.StartsWith(prefix, StringComparison.Ordinal));
    }

    private async Task<TaskRunStatus> JoinGroupAsync(string group, IEnumerable<string> subTasks)
    {
        await RecordGroupResultAsync(group, subTasks).ConfigureAwait(false);
        return TaskRunStatus.Joined;
    }

    /// <summary>Records a group's result once its sub-tasks are done: the results of its sub-tasks by name (as doit's
    /// <c>result_dep</c> on a group compares them), so that a task with <c>[ResultDep]</c> on the group reruns when one
    /// of them changed, or a sub-task came or went. Written only when it changed.</summary>
    internal Task RecordGroupResultAsync(string group, IEnumerable<string> subTasks)
    {
        if (_store is null || _mode.DryRun)
        {
            return Task.CompletedTask;
        }

        var json = new System.Text.StringBuilder("{");
        foreach (var name in subTasks.Order(StringComparer.Ordinal))
        {
            json.Append(json.Length > 1 ? "," : "").Append(JsonSerializer.Serialize(name)).Append(':')
                .Append(_store.TryGet(name, out var state) ? state.Result ?? "null" : "null");
        }

        var result = json.Append('}').ToString();
        return _store.TryGet(group, out var previous) && previous.Result == result
            ? Task.CompletedTask
            : _store.SaveAsync(group, new TaskState(_clock.GetUtcNow(), result, [], NoValues));
    }

    private static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>();

    // As in doit, a task set aside with `ignore` takes everything that depends on it along.
    internal bool IsIgnored(int index, TaskDescriptor task)
    {
        var ignored = _store!.IsIgnored(task.Name);
        foreach (var dependency in _graph.Dependencies[index])
        {
            ignored |= Volatile.Read(ref _ignored[dependency.Task]);
        }

        if (ignored)
        {
            Volatile.Write(ref _ignored[index], true);
        }

        return ignored;
    }

    // A task that ran may have changed what its dependents read: their decisions taken ahead no longer hold.
    private void MarkRan(TaskDescriptor task)
    {
        if (_graph.TryFind(task.Name, out var index))
        {
            Volatile.Write(ref _ran[index], true);
        }
    }

    // Up-to-date rules that call user code may block or need services: they are checked on the thread pool.
    private static bool CallsUserCode(TaskDescriptor task)
    {
        foreach (var rule in task.UpToDate)
        {
            if (rule is ConfigChangedRule or CustomRule)
            {
                return true;
            }
        }

        return false;
    }

    private Task<TaskRunStatus> ExecuteCoreAsync(int index, CancellationToken cancellationToken) => ExecuteCoreAsync(index, _graph.Tasks[index], cancellationToken);

    /// <summary>Runs one task of the graph as <paramref name="task"/> describes it (its file deps completed at run time).</summary>
    internal async Task<TaskRunStatus> ExecuteCoreAsync(int index, TaskDescriptor task, CancellationToken cancellationToken)
    {
        CurrentTask.Name = task.Name;
        if (_store is null || _checker is null)
        {
            _observer.TaskStarted(task.Name, UpToDateChecker.AlwaysRuns);
            await InvokeAsync(task, cancellationToken).ConfigureAwait(false);
            return TaskRunStatus.Succeeded;
        }

        if (IsIgnored(index, task))
        {
            return TaskRunStatus.Ignored;
        }

        if (_mode.DryRun)
        {
            return await DryRunAsync(index, task, cancellationToken).ConfigureAwait(false);
        }

        var decision = await CheckOrRecordFailureAsync(task, cancellationToken).ConfigureAwait(false);
        if (decision.Run)
        {
            return await RunAsync(task, decision, cancellationToken).ConfigureAwait(false);
        }

        RecordRefresh(task, decision);
        return TaskRunStatus.UpToDate;
    }

    // A check that fails (a missing file dep, an up-to-date rule that throws) fails the task: it did not complete, so
    // its last success no longer stands, and it runs again next time whatever the files then hold (doit's rule).
    private async ValueTask<UpToDateDecision> CheckOrRecordFailureAsync(TaskDescriptor task, CancellationToken cancellationToken)
    {
        try
        {
            return await _checker!.CheckAsync(task, _mode.Always, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await _store!.RecordFailureAsync(task.Name).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<TaskRunStatus> RunAsync(TaskDescriptor task, UpToDateDecision decision, CancellationToken cancellationToken)
    {
        CurrentTask.Name = task.Name;
        _observer.TaskStarted(task.Name, decision.Reason);
        object? result;
        try
        {
            result = await InvokeAsync(task, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A failed (or cancelled) run may have left its targets half made: drop the last success,
            // so that the task runs again next time, as doit does. The failed run's file stamps are never recorded.
            await _store!.RecordFailureAsync(task.Name).ConfigureAwait(false);

            throw;
        }

        await _store!.SaveAsync(task.Name, new TaskState(_clock.GetUtcNow(), ToJson(result), decision.Files, decision.Values)).ConfigureAwait(false);
        MarkRan(task);
        return TaskRunStatus.Succeeded;
    }

    private async Task<TaskRunStatus> DryRunAsync(int index, TaskDescriptor task, CancellationToken cancellationToken)
    {
        string? reason;
        try
        {
            var decision = await _checker!.CheckAsync(task, _mode.Always, cancellationToken).ConfigureAwait(false);
            reason = decision.Run ? decision.Reason : InputWillChange(index);
        }
        catch (MissingFileDepException) when (InputWillChange(index) is not null)
        {
            // The file does not exist yet, but a task that would run first makes it.
            reason = InputWillChange(index);
        }

        if (reason is null)
        {
            return TaskRunStatus.UpToDate;
        }

        _wouldRun[index] = true;
        _observer.TaskWouldRun(task.Name, reason);
        return TaskRunStatus.WouldRun;
    }

    // In a dry run, a task whose inputs are made by a task that would run, would run too.
    private string? InputWillChange(int index)
    {
        foreach (var dependency in _graph.Dependencies[index])
        {
            if (!Volatile.Read(ref _wouldRun[dependency.Task]))
            {
                continue;
            }

            var producer = _graph.Tasks[dependency.Task].Name;
            switch (dependency.Kind)
            {
                case DependencyKind.FileDep:
                    return $"{producer} would run first and remake {dependency.Path}";
                case DependencyKind.ResultDep:
                    return $"{producer} would run first and may return another result";
            }
        }

        return null;
    }

    /// <summary>The run's machinery (store, checks, processes, events) for another graph: sub-tasks created at run time.</summary>
    internal TaskExecutor ForGraph(TaskGraph graph) =>
        new(graph, _services, _runner, _observer, _projectDirectory, _store, _mode, _clock, _remote) { NestedOptions = NestedOptions };

    /// <summary>How runs nested in this one (sub-tasks created at run time, dependencies computed at run time) are
    /// scheduled: the run's jobs, keep-going, critical default and resource limits. The run's own time limit needs no
    /// copy: its cancellation reaches nested runs through their token.</summary>
    internal SchedulerOptions NestedOptions { get; set; } = new() { Jobs = Environment.ProcessorCount };

    internal IRunObserver Observer => _observer;

    internal StateStore? Store => _store;

    internal ExecutionMode Mode => _mode;

    internal async Task<object?> InvokeAsync(TaskDescriptor task, CancellationToken cancellationToken)
    {
        var services = await ServicesFor(task, cancellationToken).ConfigureAwait(false);
        var context = new LocalTaskContext(task, _projectDirectory, _runner, _observer, cancellationToken);
        return await task.Invoke(new TaskInvocation(services, context)).ConfigureAwait(false);
    }

    // A task that takes no services (a static method with a context) runs without the host being built.
    private ValueTask<IServiceProvider> ServicesFor(TaskDescriptor task, CancellationToken cancellationToken) =>
        task.ServiceType is not null || task.TakesServices ? _services(cancellationToken) : ValueTask.FromResult<IServiceProvider>(NoServices.Instance);

    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }

    private static string? ToJson(object? result)
    {
        if (result is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Serialize(result, result.GetType());
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            // A result that does not serialize is still compared, by its text.
            return JsonSerializer.Serialize(result.ToString());
        }
    }
}

/// <summary>The task whose code is running on this logical thread, for log lines written through ILogger.</summary>
internal static class CurrentTask
{
    private static readonly AsyncLocal<string?> Value = new();

    public static string? Name
    {
        get => Value.Value;
        set => Value.Value = value;
    }
}
