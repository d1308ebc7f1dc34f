namespace Orchestrate;

/// <summary>What a finished command left behind.</summary>
/// <param name="CommandLine">The command as shown to the user.</param>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StdOut">Everything the command wrote on standard output.</param>
/// <param name="StdErr">Everything the command wrote on standard error.</param>
/// <param name="Duration">Wall-clock time from start to exit.</param>
public sealed record CommandResult(string CommandLine, int ExitCode, string StdOut, string StdErr, TimeSpan Duration)
{
    /// <summary>The last lines of standard error (or of standard output when it is empty).</summary>
    public IReadOnlyList<string> LastLines(int count)
    {
        var text = string.IsNullOrWhiteSpace(StdErr) ? StdOut : StdErr;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length <= count ? lines : lines[^count..];
    }
}
