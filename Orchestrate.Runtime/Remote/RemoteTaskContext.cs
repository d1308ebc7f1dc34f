using Orchestrate.Execution;
using Orchestrate.Reporting;

namespace Orchestrate.Remote;

/// <summary>The context of a host node: commands and files on its host, over the run's connection.</summary>
internal sealed class RemoteTaskContext(
    TaskDescriptor task,
    HostSpec host,
    string? user,
    IRemoteTransport transport,
    string projectDirectory,
    ProcessRunner runner,
    IRunObserver observer,
    CancellationToken cancellationToken,
    RemoteFiles.LocalHashes hashes) : RemoteContext
{
    public override string TaskName => task.Name;

    public override string ProjectDirectory => projectDirectory;

    public override CancellationToken CancellationToken => cancellationToken;

    public override IReadOnlyList<string> FileDeps => task.FileDeps;

    public override IReadOnlyList<string> Targets => task.Targets;

    public override string HostName => host.Name;

    public override string Address => host.Target;

    public override string? User => user ?? host.User;

    public override IReadOnlyDictionary<string, string> Vars => host.Vars;

    public override string? Item => task.Item;

    public override TaskContext Local => new LocalTaskContext(task, projectDirectory, runner, observer, cancellationToken);

    public override RemoteContext As(string otherUser) =>
        new RemoteTaskContext(task, host, otherUser, transport, projectDirectory, runner, observer, cancellationToken, hashes);

    public override Task<CommandResult> Run(IEnumerable<string> argv, RunOptions options) => Shell(Execution.ShellQuoting.Join(argv), options);

    public override Task<CommandResult> Shell(string command, RunOptions? options = null) => RunRemoteAsync(command, options ?? new RunOptions(), sudo: false);

    public override Task<CommandResult> Sudo(string command, RunOptions? options = null) => RunRemoteAsync(command, options ?? new RunOptions(), sudo: true);

    public override async Task<int> Ship(string local, string remoteDirectory)
    {
        var connection = await ConnectAsync().ConfigureAwait(false);
        var files = RemoteFiles.Resolve(projectDirectory, local, remoteDirectory, hashes);
        var (stale, _) = await RemoteFiles.CheckAsync(connection, files, [], null, cancellationToken).ConfigureAwait(false);
        await RemoteFiles.SendAsync(connection, stale, cancellationToken).ConfigureAwait(false);
        return stale.Count;
    }

    public override async Task<string?> Fetch(string remotePath, string localDirectory)
    {
        var connection = await ConnectAsync().ConfigureAwait(false);
        // Paths given in code are taken as they are: no {var} substitution unless the caller asks (Substitute).
        var target = HostExpansion.FetchTarget(remotePath, localDirectory);
        var local = Path.Combine(projectDirectory, target);
        return await connection.DownloadAsync(remotePath, local, cancellationToken).ConfigureAwait(false) ? local : null;
    }

    public override async Task<string> ReadFile(string remotePath)
    {
        // Through the same archive stream as Fetch, not a command's output: the file's bytes exactly (no line endings
        // added or dropped).
        var connection = await ConnectAsync().ConfigureAwait(false);
        var scratch = Path.Combine(Path.GetTempPath(), $"orchestrate-read-{Guid.NewGuid():N}");
        try
        {
            return await connection.DownloadAsync(remotePath, scratch, cancellationToken).ConfigureAwait(false)
                ? await File.ReadAllTextAsync(scratch, cancellationToken).ConfigureAwait(false)
                : throw new FileNotFoundException($"{Inventory.Text.Quote(remotePath)} does not exist on {host.Name} (or is not a file)");
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    public override async Task<bool> Exists(string remotePath)
    {
        var result = await Shell($"test -e {Execution.ShellQuoting.Quote(remotePath)}", new RunOptions { Echo = false, AllowedExitCodes = [0, 1] }).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    public override string Substitute(string text) => HostExpansion.Substitute(text, host);

    public override void Log(string message)
    {
        foreach (var line in message.Split('\n'))
        {
            observer.TaskOutput(task.Name, line.TrimEnd('\r'), false);
        }
    }

    private Task<IRemoteConnection> ConnectAsync() => transport.ConnectAsync(host, user, cancellationToken);

    private async Task<CommandResult> RunRemoteAsync(string command, RunOptions options, bool sudo)
    {
        var connection = await ConnectAsync().ConfigureAwait(false);
        var remote = new RemoteCommand(command)
        {
            Sudo = sudo,
            Timeout = options.Timeout,
            WorkingDirectory = options.WorkingDirectory,
            AllowedExitCodes = options.AllowedExitCodes,
            Environment = options.Environment?.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!),
        };
        Action<OutputLine>? echo = options.Echo ? line => observer.TaskOutput(task.Name, line.Text, line.IsError) : null;
        var result = await connection.RunAsync(remote, echo, cancellationToken).ConfigureAwait(false);
        if (result.TimedOut || !remote.AllowedExitCodes.Contains(result.ExitCode))
        {
            throw new CommandFailedException(result.ToCommandResult(), result.TimedOut);
        }

        return result.ToCommandResult();
    }
}
