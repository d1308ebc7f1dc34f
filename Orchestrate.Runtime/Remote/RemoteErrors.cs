namespace Orchestrate.Remote;

/// <summary>Telling an unreachable host from a failed command.</summary>
public static class RemoteErrors
{
    /// <summary>True when the error says the host could not be reached (or was lost).</summary>
    public static bool IsUnreachable(Exception? error) => error switch
    {
        HostUnreachableException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnreachable),
        { InnerException: { } inner } => IsUnreachable(inner),
        _ => false,
    };
}
