namespace Orchestrate;

/// <summary>A command exited with a code its task does not allow, or ran past its timeout.</summary>
public sealed class CommandFailedException : Exception
{
    /// <summary>Creates the exception from the command's result.</summary>
    public CommandFailedException(CommandResult result, bool timedOut = false)
        : base(timedOut
            ? $"command `{result.CommandLine}` timed out after {result.Duration.TotalSeconds:0.##} s and was killed"
            : $"command `{result.CommandLine}` exited with code {result.ExitCode}")
    {
        Result = result;
        TimedOut = timedOut;
    }

    /// <summary>The command's result (output, exit code, duration).</summary>
    public CommandResult Result { get; }

    /// <summary>True when the command was killed because it ran past its timeout.</summary>
    public bool TimedOut { get; }
}
