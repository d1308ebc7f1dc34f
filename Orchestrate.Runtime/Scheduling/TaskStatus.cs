namespace Orchestrate.Scheduling;

/// <summary>Where a task of a run ended.</summary>
public enum TaskRunStatus
{
    /// <summary>Not started yet.</summary>
    Pending,

    /// <summary>Ran and succeeded.</summary>
    Succeeded,

    /// <summary>Did not need to run: up to date.</summary>
    UpToDate,

    /// <summary>Set aside with <c>ignore</c>: not run, counts as done for its dependents.</summary>
    Ignored,

    /// <summary>Dry run: would have run.</summary>
    WouldRun,

    /// <summary>A host task's own node: all its hosts are done.</summary>
    Joined,

    /// <summary>Ran and failed.</summary>
    Failed,

    /// <summary>Ran and failed, but the task is explicitly not critical (<c>[Critical(false)]</c>): the failure is
    /// recorded and reported, its dependents run, and it does not fail the run (asynciojobs' non-critical job).</summary>
    Tolerated,

    /// <summary>Not run because a task it depends on failed.</summary>
    Blocked,

    /// <summary>Not run because the run stopped first: at a failure elsewhere (without --keep-going), a critical
    /// task's abort, or the run's timeout.</summary>
    NotRun,

    /// <summary>Cancelled while running (Ctrl+C, or a critical task's failure aborted the run), or never started
    /// because the run was cancelled.</summary>
    Cancelled,

    /// <summary>Cut by its own timeout or the run's (<c>--timeout</c>) while running.</summary>
    TimedOut,

    /// <summary>A forever task, stopped once every other task was done (counts as done).</summary>
    Stopped,
}
