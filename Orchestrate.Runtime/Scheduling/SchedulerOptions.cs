namespace Orchestrate.Scheduling;

/// <summary>How the scheduler runs a plan.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Tasks running at once. Default: the processor count.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Host nodes running at once (hosts in flight). Default: 50.</summary>
    public int Forks { get; init; } = 50;

    /// <summary>After a failure, go on with every task the failure does not block.</summary>
    public bool KeepGoing { get; init; }

    /// <summary>Whether a failing task aborts the run when it does not say (<see cref="TaskDescriptor.Critical"/>).</summary>
    public bool Critical { get; init; }

    /// <summary>The whole run's time limit; null: none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Resource limits that override the ones tasks declare, by resource name.</summary>
    public IReadOnlyDictionary<string, int> ResourceLimits { get; init; } = new Dictionary<string, int>();

    /// <summary>After cancellation, how long to wait for running tasks to stop before giving up on them.</summary>
    public TimeSpan CancellationGrace { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Timers for time limits: a limit longer than a timer can wait (about 49.7 days) never fires, so it waits for ever.</summary>
internal static class TimeLimits
{
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The limit as a timer can take it.</summary>
    public static TimeSpan ForTimer(TimeSpan limit) => limit > Longest ? Timeout.InfiniteTimeSpan : limit;
}
