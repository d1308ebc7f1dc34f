using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>Passes every event to each of several observers, in order (the live view first, so that it stops
/// before the console writes the report; the files after).</summary>
public sealed class CompositeObserver : IRunObserver
{
    private readonly IRunObserver[] _observers;

    /// <summary>Passes events to <paramref name="observers"/>.</summary>
    public CompositeObserver(params IRunObserver[] observers)
    {
        _observers = observers;
    }

    /// <summary>One observer as it is, several through a composite.</summary>
    public static IRunObserver Of(IReadOnlyList<IRunObserver> observers) => observers.Count == 1 ? observers[0] : new CompositeObserver([.. observers]);

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks)
    {
        foreach (var o in _observers)
        {
            o.RunStarting(tasks);
        }
    }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason)
    {
        foreach (var o in _observers)
        {
            o.TaskStarted(task, reason);
        }
    }

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason)
    {
        foreach (var o in _observers)
        {
            o.TaskWouldRun(task, reason);
        }
    }

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError)
    {
        foreach (var o in _observers)
        {
            o.TaskOutput(task, line, isError);
        }
    }

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome)
    {
        foreach (var o in _observers)
        {
            o.TaskFinished(outcome);
        }
    }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome)
    {
        foreach (var o in _observers)
        {
            o.RunFinished(outcome);
        }
    }
}
