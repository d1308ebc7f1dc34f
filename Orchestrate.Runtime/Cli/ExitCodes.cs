namespace Orchestrate.Cli;

/// <summary>The exit codes of an Orchestrate program.</summary>
public static class ExitCodes
{
    /// <summary>Every requested task succeeded (or was up to date).</summary>
    public const int Success = 0;

    /// <summary>A task failed.</summary>
    public const int TaskFailed = 1;

    /// <summary>The command line, the configuration or the task graph is wrong; nothing ran.</summary>
    public const int UsageError = 2;

    /// <summary>Cancelled with Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
