namespace Orchestrate;

/// <summary>
/// What a running task sees of the run: its name, its declared files, cancellation, and the one
/// way to start processes so that their output is streamed, prefixed and captured.
/// </summary>
public abstract class TaskContext
{
    /// <summary>The task's name as shown on the command line.</summary>
    public abstract string TaskName { get; }

    /// <summary>The project directory: relative paths in the task are taken from here.</summary>
    public abstract string ProjectDirectory { get; }

    /// <summary>Signalled when the run is cancelled (Ctrl+C, a failure elsewhere, a timeout).</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>The task's declared file deps, as written.</summary>
    public abstract IReadOnlyList<string> FileDeps { get; }

    /// <summary>The task's declared targets, as written.</summary>
    public abstract IReadOnlyList<string> Targets { get; }

    /// <summary>Runs a program without a shell: <c>argv[0]</c> is the program, the rest its arguments,
    /// passed as they are (no quoting needed). Throws <see cref="CommandFailedException"/> on a
    /// non-zero exit code.</summary>
    public Task<CommandResult> Run(params string[] argv) => Run(argv, new RunOptions());

    /// <summary>Runs a program without a shell, with options.</summary>
    public abstract Task<CommandResult> Run(IEnumerable<string> argv, RunOptions options);

    /// <summary>Runs a command line through <c>/bin/sh -c</c>. Throws <see cref="CommandFailedException"/>
    /// on an exit code not in <see cref="RunOptions.AllowedExitCodes"/>.</summary>
    public abstract Task<CommandResult> Shell(string command, RunOptions? options = null);

    /// <summary>Writes one line to the run's output, prefixed by the task name.</summary>
    public abstract void Log(string message);
}
