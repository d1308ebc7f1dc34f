using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>The names of task statuses in the JSON files (<c>--events</c>, <c>--report</c>) and the words of the report.</summary>
public static class StatusNames
{
    /// <summary>The status in kebab case: <c>succeeded</c>, <c>up-to-date</c>, <c>timed-out</c>...</summary>
    public static string Json(TaskRunStatus status) => status switch
    {
        TaskRunStatus.Pending => "pending",
        TaskRunStatus.Succeeded => "succeeded",
        TaskRunStatus.UpToDate => "up-to-date",
        TaskRunStatus.Ignored => "ignored",
        TaskRunStatus.WouldRun => "would-run",
        TaskRunStatus.Joined => "joined",
        TaskRunStatus.Failed => "failed",
        TaskRunStatus.Tolerated => "tolerated",
        TaskRunStatus.Blocked => "blocked",
        TaskRunStatus.NotRun => "not-run",
        TaskRunStatus.Cancelled => "cancelled",
        TaskRunStatus.TimedOut => "timed-out",
        TaskRunStatus.Stopped => "stopped",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>The status in words, as the run's summary line counts it.</summary>
    public static string Words(TaskRunStatus status) => status switch
    {
        TaskRunStatus.UpToDate => "up to date",
        TaskRunStatus.WouldRun => "would run",
        TaskRunStatus.Joined => "joined",
        TaskRunStatus.Tolerated => "failed (tolerated)",
        TaskRunStatus.Blocked => "blocked by a failure",
        TaskRunStatus.NotRun => "not run",
        TaskRunStatus.TimedOut => "timed out",
        _ => Json(status),
    };
}
