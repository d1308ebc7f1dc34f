using System.Diagnostics;

namespace Orchestrate.Reporting;

/// <summary>Turns a task's failure into words: the command and its exit code, or the exception and
/// where in the user's code it was thrown.</summary>
public static class FailureText
{
    /// <summary>One line: what failed.</summary>
    public static string Summary(Exception? error) => error switch
    {
        null => "failed",
        CommandFailedException command => command.Message,
        // Orchestrate's own errors are written for the user: their message is the whole story.
        _ when error.GetType().Assembly == typeof(FailureText).Assembly => error.Message,
        AggregateException { InnerExceptions.Count: 1 } aggregate => Summary(aggregate.InnerException),
        _ => $"{error.GetType().Name}: {error.Message}{Where(error)}",
    };

    /// <summary>The last lines of the failed command's output (standard error first), if any.</summary>
    public static IReadOnlyList<string> Details(Exception? error, int lines) => error switch
    {
        CommandFailedException command => command.Result.LastLines(lines),
        AggregateException { InnerExceptions.Count: 1 } aggregate => Details(aggregate.InnerException, lines),
        _ => [],
    };

    /// <summary>For an exception thrown by user code (not a failed command, not Orchestrate's own error), its
    /// stack trace, without the frames of the async machinery, at most <paramref name="lines"/> lines.</summary>
    public static IReadOnlyList<string> StackTrace(Exception? error, int lines)
    {
        switch (error)
        {
            case null or CommandFailedException or OperationCanceledException:
                return [];
            case AggregateException { InnerExceptions.Count: 1 } aggregate:
                return StackTrace(aggregate.InnerException, lines);
        }

        if (error.GetType().Assembly == typeof(FailureText).Assembly || error.StackTrace is not { } trace)
        {
            return [];
        }

        return trace.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("at ", StringComparison.Ordinal)
                && !l.StartsWith("at System.Runtime.CompilerServices.", StringComparison.Ordinal)
                && !l.StartsWith("at System.Threading.", StringComparison.Ordinal))
            .Take(lines)
            .ToList();
    }

    private static bool IsUserCode(StackFrame frame)
    {
        var assembly = frame.GetMethod()?.DeclaringType?.Assembly;
        return assembly is not null && assembly != typeof(FailureText).Assembly && assembly != typeof(TaskContext).Assembly;
    }

    private static string Where(Exception error)
    {
        var frame = new StackTrace(error, fNeedFileInfo: true).GetFrames().FirstOrDefault(IsUserCode);
        if (frame is null)
        {
            return "";
        }

        return frame.GetFileName() is { } file
            ? $" (at {Path.GetFileName(file)}:{frame.GetFileLineNumber()})"
            : $" (in {frame.GetMethod()?.DeclaringType?.Name}.{frame.GetMethod()?.Name})";
    }
}
