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
