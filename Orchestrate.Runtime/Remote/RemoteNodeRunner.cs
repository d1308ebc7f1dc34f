using System.Text.RegularExpressions;
using Orchestrate.Execution;
using Orchestrate.Reporting;
using Orchestrate.UpToDate;

namespace Orchestrate.Remote;

/// <summary>
/// Runs a host node: its up-to-date check on the host (shipped copies, remote targets), then its
/// phases in order: ship files, remote steps, the method's body, fetch files.
/// </summary>
internal sealed partial class RemoteNodeRunner(
    IRemoteTransport transport,
    IReadOnlyDictionary<string, HostSpec> hostOfNode,
    string projectDirectory,
    ProcessRunner runner,
    IRunObserver observer)
{
    private readonly RemoteFiles.LocalHashes _hashes = new();

    public HostSpec HostOf(TaskDescriptor task) => hostOfNode[task.Name];

    /// <summary>When the local check says up to date, checks the host too: the shipped copies and remote targets.</summary>
    public async Task<string?> RemoteReasonAsync(TaskDescriptor task, IReadOnlyDictionary<string, string>? recorded, CancellationToken cancellationToken)
    {
        if (task.Ships.Count == 0 && task.RemoteTargets.Count == 0)
        {
            return null;
        }

        var host = HostOf(task);
        var connection = await transport.ConnectAsync(host, null, cancellationToken).ConfigureAwait(false);
        var files = task.Ships.SelectMany(s => RemoteFiles.Resolve(projectDirectory, HostExpansion.Substitute(s.Local, host), HostExpansion.Substitute(s.RemoteDirectory, host), _hashes)).ToList();
        var targets = task.RemoteTargets.Select(t => HostExpansion.Substitute(t, host)).ToList();
        var (stale, missing) = await RemoteFiles.CheckAsync(connection, files, targets, recorded, cancellationToken).ConfigureAwait(false);
        if (missing.Count > 0)
        {
            return $"remote target {missing[0]} is missing on {host.Name}";
        }

        return stale.Count > 0 ? $"{stale[0].RemoteName} differs on {host.Name}" : null;
    }

    /// <summary>Runs the node's phases. Returns the method's result and the stamps of the shipped copies, to record.</summary>
    public async Task<(object? Result, IReadOnlyDictionary<string, string> RemoteStamps)> RunAsync(TaskDescriptor task, IServiceProvider services, IReadOnlyDictionary<string, string>? recorded, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string> remoteStamps = new Dictionary<string, string>();
        var host = HostOf(task);
        var connection = await transport.ConnectAsync(host, null, cancellationToken).ConfigureAwait(false);

        // Ship: only what the host does not already have, one stream per directory.
        var files = task.Ships.SelectMany(s => RemoteFiles.Resolve(projectDirectory, HostExpansion.Substitute(s.Local, host), HostExpansion.Substitute(s.RemoteDirectory, host), _hashes)).ToList();
        if (files.Count > 0)
        {
            var (stale, _) = await RemoteFiles.CheckAsync(connection, files, [], recorded, cancellationToken).ConfigureAwait(false);
            await RemoteFiles.SendAsync(connection, stale, cancellationToken).ConfigureAwait(false);
            remoteStamps = await RemoteFiles.StampsAsync(connection, files, cancellationToken).ConfigureAwait(false);
            observer.TaskOutput(task.Name, stale.Count == 0
                ? $"ship: all {files.Count} files already on {host.Name}"
                : $"ship: sent {stale.Count} of {files.Count} files ({string.Join(", ", stale.Take(5).Select(f => f.RemoteName))}{(stale.Count > 5 ? ", ..." : "")})", false);
        }

        // Remote steps, in order, each on the connection of its user.
        foreach (var step in task.RemoteSteps)
        {
            var stepConnection = step.User is null ? connection : await transport.ConnectAsync(host, step.User, cancellationToken).ConfigureAwait(false);
            var command = new RemoteCommand(SubstituteQuoted(step.Command, host))
            {
                Sudo = step.Sudo,
                Timeout = step.Timeout,
                AllowedExitCodes = step.AllowedExitCodes,
                WorkingDirectory = step.WorkingDirectory is null ? null : HostExpansion.Substitute(step.WorkingDirectory, host),
            };
            var result = await stepConnection.RunAsync(command, line => observer.TaskOutput(task.Name, line.Text, line.IsError), cancellationToken).ConfigureAwait(false);
            if (result.TimedOut || !step.AllowedExitCodes.Contains(result.ExitCode))
            {
                throw new CommandFailedException(result.ToCommandResult(), result.TimedOut);
            }
        }

        var context = new RemoteTaskContext(task, host, null, transport, projectDirectory, runner, observer, cancellationToken, _hashes);
        var value = await task.Invoke(new TaskInvocation(services, context)).ConfigureAwait(false);

        foreach (var fetch in task.Fetches)
        {
            var remotePath = HostExpansion.Substitute(fetch.RemotePath, host);
            var local = Path.Combine(projectDirectory, HostExpansion.FetchTarget(fetch, host));
            if (!await connection.DownloadAsync(remotePath, local, cancellationToken).ConfigureAwait(false))
            {
                throw new FileNotFoundException($"fetch: {remotePath} does not exist on {host.Name}");
            }
        }

        return (value, remoteStamps);
    }

    /// <summary>Substitutes <c>{host}</c>, <c>{address}</c> and host variables in a command, each value quoted for the shell.</summary>
    public static string SubstituteQuoted(string command, HostSpec host) =>
        Placeholder().Replace(command, match => match.Value switch
        {
            "{{" => "{",
            "}}" => "}",
            _ => ShellQuoting.Quote(HostExpansion.Substitute(match.Value, host)),
        });

    [GeneratedRegex(@"\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_.-]*\}")]
    private static partial Regex Placeholder();
}
