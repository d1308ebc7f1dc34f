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

/// <summary>A fetched file would land outside the folder it was fetched into (a name such as <c>..</c>), or its name
/// cannot be a file name here: the fetch fails, naming the file, and nothing is written.</summary>
public sealed class UnsafeFetchException(string message) : Exception(message);
