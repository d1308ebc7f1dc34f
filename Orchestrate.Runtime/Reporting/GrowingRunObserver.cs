using System.Diagnostics;
using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>A task the run learnt of while it went (a delayed group's sub-task), or a task whose requirements grew
/// (the group itself, which requires its sub-tasks): what the report says of it.</summary>
/// <param name="Descriptor">The task.</param>
/// <param name="Requires">The names of the tasks it waited for.</param>
internal sealed record GrownTask(TaskDescriptor Descriptor, IReadOnlyList<string> Requires);

/// <summary>
/// Stands between a run whose graph grows while it runs (sub-tasks created at run time, tasks run early for a
/// computed dependency) and the run's reporters, so that every task is reported once and counted like any task:
/// <list type="bullet">
/// <item>the tasks nested runs report (a delayed group's sub-tasks, a task of the program a nested run ran first)
/// join the run's final outcome, each next to the task that ran them, with the times of the run;</item>
/// <item>a task of the program that a nested run ran is not reported a second time when the run's own scheduler
/// reaches it and joins that run: the nested run's report is the one that counts;</item>
/// <item>a task that could not go on because what it needed failed in a nested run
/// (<see cref="DependencyFailedException"/>) is reported blocked by that task, whose own failure carries the cause.</item>
/// </list>
/// </summary>
internal sealed class GrowingRunObserver(IRunObserver inner) : IRunObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TaskOutcome> _nested = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GrownTask> _grown = new(StringComparer.Ordinal);
    private readonly HashSet<string> _joined = new(StringComparer.Ordinal);
    private readonly HashSet<string> _placed = new(StringComparer.Ordinal);
    private long _runStart = Stopwatch.GetTimestamp();

    /// <summary>A delayed group created these sub-tasks (with what each requires); the group requires them all.</summary>
    public void SubTasksCreated(TaskDescriptor group, IReadOnlyList<string> groupRequires, IReadOnlyList<GrownTask> subTasks)
    {
        lock (_gate)
        {
            foreach (var subTask in subTasks)
            {
                _grown[subTask.Descriptor.Name] = subTask;
            }

            _grown[group.Name] = new GrownTask(group, [.. groupRequires, .. subTasks.Select(s => s.Descriptor.Name)]);
            // Listed in the order of the group's plan, as the run's own tasks are, whatever order they end in.
            var owned = Owned(group.Name);
            foreach (var subTask in subTasks)
            {
                if (_placed.Add(subTask.Descriptor.Name))
                {
                    owned.Add(subTask.Descriptor.Name);
                }
            }
        }
    }

    /// <summary>A nested run that started at <paramref name="nestedStart"/> (a <see cref="Stopwatch"/> timestamp) on
    /// behalf of <paramref name="owner"/> finished a task.</summary>
    public void NestedTaskFinished(string owner, long nestedStart, TaskOutcome outcome)
    {
        var shown = Shown(outcome);
        if (shown.Started is { } started)
        {
            // Times of the nested run, from the start of the run.
            shown = shown with { Started = started + Stopwatch.GetElapsedTime(_runStart, nestedStart) };
        }

        lock (_gate)
        {
            if (!_nested.TryAdd(shown.Name, shown))
            {
                return;
            }

            if (_placed.Add(shown.Name))
            {
                Owned(owner).Add(shown.Name);
            }
        }

        inner.TaskFinished(shown);
    }

    /// <summary>The run's scheduler reached a task a nested run claimed: its node only joins that run.</summary>
    public void JoinedNestedRun(string task)
    {
        lock (_gate)
        {
            _joined.Add(task);
        }
    }

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks)
    {
        _runStart = Stopwatch.GetTimestamp();
        inner.RunStarting(tasks);
    }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason) => inner.TaskStarted(task, reason);

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason) => inner.TaskWouldRun(task, reason);

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError) => inner.TaskOutput(task, line, isError);

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome)
    {
        lock (_gate)
        {
            if (_joined.Contains(outcome.Name) || _nested.ContainsKey(outcome.Name))
            {
                // Reported by the nested run that ran it.
                return;
            }
        }

        inner.TaskFinished(Shown(outcome));
    }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome)
    {
        RunOutcome merged;
        lock (_gate)
        {
            merged = _nested.Count == 0 && _grown.Count == 0 && !outcome.Tasks.Any(t => t.Error is DependencyFailedException)
                ? outcome
                : Merge(outcome);
        }

        inner.RunFinished(merged);
    }

    // The run's tasks in the order they ran, each task a nested run ran right before the task it ran for (a
    // delayed group's sub-tasks before the group), a task of the program a nested run ran once, as it ran there.
    private RunOutcome Merge(RunOutcome outcome)
    {
        var tasks = new List<TaskOutcome>(outcome.Tasks.Count + _nested.Count);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in outcome.Tasks)
        {
            List(task.Name);
            var own = _nested.TryGetValue(task.Name, out var nested) ? nested : Shown(task);
            if (listed.Add(own.Name))
            {
                tasks.Add(own);
            }
        }

        // Tasks of nested runs whose owner did not end in the run's list (a run cut short): not lost.
        foreach (var owner in _byOwner.Keys.ToList())
        {
            List(owner);
        }

        // A critical group (or task) aborted the run because what it needed failed: that task is the cause.
        var abortedBy = outcome.AbortedBy is { } aborted && outcome.Tasks.FirstOrDefault(t => t.Name == aborted)?.Error is DependencyFailedException failed
            ? failed.Task
            : outcome.AbortedBy;
        return outcome with { Tasks = tasks, AbortedBy = abortedBy, Grown = new Dictionary<string, GrownTask>(_grown, StringComparer.Ordinal) };

        void List(string owner)
        {
            if (!_byOwner.Remove(owner, out var owned))
            {
                return;
            }

            foreach (var name in owned)
            {
                // A task that itself ran others (a delayed group run early) comes after them.
                List(name);
                if (_nested.TryGetValue(name, out var nested) && listed.Add(name))
                {
                    tasks.Add(nested);
                }
            }
        }
    }

    private List<string> Owned(string owner)
    {
        if (!_byOwner.TryGetValue(owner, out var owned))
        {
            _byOwner[owner] = owned = [];
        }

        return owned;
    }

    // A task that stopped because a task it needed failed in a nested run is blocked by that task.
    private static TaskOutcome Shown(TaskOutcome outcome) => outcome.Error is DependencyFailedException failed
        ? outcome with { Status = TaskRunStatus.Blocked, BlockedBy = failed.Task, Error = null, Duration = TimeSpan.Zero, Started = null }
        : outcome;
}
