using Orchestrate.Reporting;

namespace Orchestrate.Execution;

/// <summary>The context of a task running on this machine: processes go through the one runner and
/// their lines to the run's event stream.</summary>
internal sealed class LocalTaskContext(
    TaskDescriptor task,
    string projectDirectory,
    ProcessRunner runner,
    IRunObserver observer,
    CancellationToken cancellationToken) : TaskContext
{
    public override string TaskName => task.Name;

    public override string ProjectDirectory => projectDirectory;

    public override CancellationToken CancellationToken => cancellationToken;

    public override IReadOnlyList<string> FileDeps => task.FileDeps;

    public override IReadOnlyList<string> Targets => task.Targets;

    public override Task<CommandResult> Run(IEnumerable<string> argv, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(options);
        return RunAsync(ProcessSpec.ForArgv(argv.ToArray(), WorkingDirectoryFor(options)), options);
    }

    public override Task<CommandResult> Shell(string command, RunOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        options ??= new RunOptions();
        return RunAsync(ProcessSpec.ForShell(command, WorkingDirectoryFor(options)), options);
    }

    public override void Log(string message)
    {
        foreach (var line in message.Split('\n'))
        {
            observer.TaskOutput(task.Name, line.TrimEnd('\r'), false);
        }
    }

    private string WorkingDirectoryFor(RunOptions options) =>
        options.WorkingDirectory is { } dir ? Path.GetFullPath(dir, projectDirectory) : projectDirectory;

    private async Task<CommandResult> RunAsync(ProcessSpec spec, RunOptions options)
    {
        spec = spec with
        {
            Environment = options.Environment,
            StandardInput = options.StandardInput,
            Timeout = options.Timeout,
        };
        Action<OutputLine>? echo = options.Echo ? line => observer.TaskOutput(task.Name, line.Text, line.IsError) : null;
        var outcome = await runner.RunAsync(spec, echo, cancellationToken).ConfigureAwait(false);
        if (outcome.TimedOut || !options.AllowedExitCodes.Contains(outcome.Result.ExitCode))
        {
            throw new CommandFailedException(outcome.Result, outcome.TimedOut);
        }

        return outcome.Result;
    }
}
