namespace Orchestrate;

/// <summary>How <see cref="TaskContext.Run(IEnumerable{string}, RunOptions)"/> and
/// <see cref="TaskContext.Shell(string, RunOptions?)"/> start a process.</summary>
public sealed record RunOptions
{
    /// <summary>Working directory; relative paths are taken from the project directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables added to (or, with a null value, removed from) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Kill the process (and its children) when it runs longer than this.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Exit codes that count as success. Default: only 0.</summary>
    public IReadOnlyList<int> AllowedExitCodes { get; init; } = [0];

    /// <summary>Stream each output line to the console, prefixed by the task name. Default: true.</summary>
    public bool Echo { get; init; } = true;

    /// <summary>Text written to the process's standard input, which is then closed.</summary>
    public string? StandardInput { get; init; }
}
