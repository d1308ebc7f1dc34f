namespace Orchestrate.Scheduling;

/// <summary>How one task of a run ended.</summary>
/// <param name="Name">The task.</param>
/// <param name="Status">Where it ended.</param>
/// <param name="Duration">Time spent running (zero when it did not run).</param>
/// <param name="Error">The failure, for <see cref="TaskRunStatus.Failed"/> and <see cref="TaskRunStatus.Tolerated"/>; for a
/// task cut short (<see cref="TaskRunStatus.TimedOut"/>, or <see cref="TaskRunStatus.Cancelled"/> by an abort) a
/// <see cref="TaskCutException"/> that says why.</param>
/// <param name="BlockedBy">For <see cref="TaskRunStatus.Blocked"/>, the failed task it waited for.</param>
/// <param name="Host">For a node of a host task, its host.</param>
public sealed record TaskOutcome(string Name, TaskRunStatus Status, TimeSpan Duration, Exception? Error = null, string? BlockedBy = null, string? Host = null)
{
    /// <summary>When the task started, from the start of the run; null when it did not start.</summary>
    public TimeSpan? Started { get; init; }
}

/// <summary>Helpers on <see cref="TaskRunStatus"/>.</summary>
public static class TaskRunStatusExtensions
{
    /// <summary>True for the statuses after which dependents may run.</summary>
    public static bool IsDone(this TaskRunStatus status) =>
        status is TaskRunStatus.Succeeded or TaskRunStatus.UpToDate or TaskRunStatus.Ignored or TaskRunStatus.WouldRun or TaskRunStatus.Joined or TaskRunStatus.Tolerated or TaskRunStatus.Stopped;
}

/// <summary>How a whole run ended.</summary>
/// <param name="Tasks">Each task of the run, in topological order.</param>
/// <param name="Cancelled">True when the run was cancelled (Ctrl+C).</param>
/// <param name="Duration">Wall-clock time of the run.</param>
public sealed record RunOutcome(IReadOnlyList<TaskOutcome> Tasks, bool Cancelled, TimeSpan Duration)
{
    /// <summary>True when the run's time limit (<c>--timeout</c>) cut it; the cut tasks are <see cref="TaskRunStatus.TimedOut"/>.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The critical task whose failure aborted the run, if any.</summary>
    public string? AbortedBy { get; init; }

    /// <summary>The tasks the run learnt of while it went (a delayed group's sub-tasks), and the groups that made them,
    /// by name: what the report says of those <see cref="Tasks"/> that are not tasks of the run's graph. Null when the
    /// graph did not grow.</summary>
    internal IReadOnlyDictionary<string, Reporting.GrownTask>? Grown { get; init; }

    /// <summary>True when every task is done: succeeded, up to date, ignored, (dry run) would run, tolerated, or (forever) stopped.</summary>
    public bool Succeeded => !Cancelled && Tasks.All(t => t.Status.IsDone());

    /// <summary>Number of tasks with that status.</summary>
    public int Count(TaskRunStatus status) => Tasks.Count(t => t.Status == status);
}
