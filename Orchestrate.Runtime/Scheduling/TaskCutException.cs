namespace Orchestrate.Scheduling;

/// <summary>
/// Why a task was stopped by the run rather than ending by itself: its own timeout (<c>[Timeout]</c>), the run's
/// timeout (<c>--timeout</c>), or a critical task's failure. The message is written for the user ("timed out after 2s").
/// </summary>
public sealed class TaskCutException : Exception
{
    /// <summary>A cut with this message, and the error the task ended with when it was cut, if any.</summary>
    public TaskCutException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
