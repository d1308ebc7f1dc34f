using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>
/// The run's one event stream. The scheduler and task contexts report here; the console, and later
/// other reporters, listen. Calls may come from several threads at once.
/// </summary>
public interface IRunObserver
{
    /// <summary>A run of these tasks (names in topological order) begins.</summary>
    void RunStarting(IReadOnlyList<string> tasks);

    /// <summary>A task started, for this reason ("src/a.c changed", "never ran").</summary>
    void TaskStarted(string task, string reason);

    /// <summary>Dry run: the task would run, for this reason.</summary>
    void TaskWouldRun(string task, string reason);

    /// <summary>A task (or a process it runs) wrote a line.</summary>
    void TaskOutput(string task, string line, bool isError);

    /// <summary>A task finished, failed, or will not run.</summary>
    void TaskFinished(TaskOutcome outcome);

    /// <summary>The run ended.</summary>
    void RunFinished(RunOutcome outcome);
}

/// <summary>Listens to nothing: for embedding and benchmarks.</summary>
public sealed class NullRunObserver : IRunObserver
{
    /// <summary>The one instance.</summary>
    public static readonly NullRunObserver Instance = new();

    private NullRunObserver() { }

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks) { }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason) { }

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason) { }

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError) { }

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome) { }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome) { }
}
