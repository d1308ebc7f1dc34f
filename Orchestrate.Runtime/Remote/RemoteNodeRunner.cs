using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Orchestrate.Execution;
using Orchestrate.Reporting;
using Orchestrate.UpToDate;

namespace Orchestrate.Remote;

/// <summary>
/// Runs a host node: its up-to-date check on the host (shipped copies, remote targets, fetched files), then what
/// it does: ship files, remote steps, the method's body, fetch files (a host task run as one node does them all; a
/// phase node of a sequence does its phase). Within a sequence, a phase that changed something (a ship that sent
/// files, remote steps that ran, a fetch that brought new content) makes the remote steps, fetches and local post
/// after it run.
/// </summary>
internal sealed partial class RemoteNodeRunner(
    IRemoteTransport transport,
    IReadOnlyDictionary<string, HostSpec> hostOfNode,
    string projectDirectory,
    ProcessRunner runner,
    IRunObserver observer)
{
    private readonly RemoteFiles.LocalHashes _hashes = new();

    // Phase nodes that changed something in this run.
    private readonly ConcurrentDictionary<string, bool> _changed = new(StringComparer.Ordinal);

    public HostSpec HostOf(TaskDescriptor task) => hostOfNode[task.Name];

    /// <summary>
    /// Completes the local up-to-date decision with what only the host can say: the shipped copies and remote targets,
    /// a fetched file's content; and, within a sequence, whether a phase before this one changed something.
    /// </summary>
    public async Task<UpToDateDecision> DecideAsync(TaskDescriptor task, UpToDateDecision decision, IReadOnlyDictionary<string, string>? recorded, bool always, CancellationToken cancellationToken)
    {
        if (always)
        {
            return decision;
        }

        if (task.Phase is SequencePhase.RemoteSteps or SequencePhase.FetchFiles or SequencePhase.LocalPost
            && task.DependsOn.FirstOrDefault(_changed.ContainsKey) is { } changed)
        {
            return decision with { Run = true, Reason = $"{changed} changed" };
        }

        if (task.Phase == SequencePhase.FetchFiles && decision.Run && decision.Reason == UpToDateChecker.AlwaysRuns)
        {
            var host = HostOf(task);
            var fetch = task.Fetches[0];
            var remotePath = HostExpansion.Substitute(fetch.RemotePath, host);
            var target = HostExpansion.FetchTarget(fetch, host);
            if (recorded is null || !recorded.TryGetValue(RemoteFiles.FetchKey(remotePath), out var fetched))
            {
                return decision with { Reason = "never fetched" };
            }

            if (!File.Exists(Path.Combine(projectDirectory, target)))
            {
                return decision with { Reason = $"{target} is missing" };
            }

            var connection = await transport.ConnectAsync(host, null, cancellationToken).ConfigureAwait(false);
            return await RemoteFiles.HashAsync(connection, remotePath, cancellationToken).ConfigureAwait(false) == fetched
                ? decision with { Run = false, Reason = $"{remotePath} unchanged on {host.Name}" }
                : decision with { Reason = $"{remotePath} changed on {host.Name}" };
        }

        return !decision.Run && await RemoteReasonAsync(task, recorded, cancellationToken).ConfigureAwait(false) is { } reason
            ? decision with { Run = true, Reason = reason }
            : decision;
    }

    /// <summary>When the local check says up to date, checks the host too: the shipped copies and remote targets.</summary>
    public async Task<string?> RemoteReasonAsync(TaskDescriptor task, IReadOnlyDictionary<string, string>? recorded, CancellationToken cancellationToken)
    {
        if (task.Ships.Count == 0 && task.RemoteTargets.Count == 0)
        {
            return null;
        }

        var host = HostOf(task);
        var connection = await transport.ConnectAsync(host, null, cancellationToken).ConfigureAwait(false);
        _hashes.Prime(projectDirectory, recorded);
        var files = task.Ships.SelectMany(s => RemoteFiles.Resolve(projectDirectory, HostExpansion.Substitute(s.Local, host), HostExpansion.Substitute(s.RemoteDirectory, host), _hashes)).ToList();
        var targets = task.RemoteTargets.Select(t => HostExpansion.Substitute(t, host)).ToList();
        var (stale, missing) = await RemoteFiles.CheckAsync(connection, files, targets, recorded, cancellationToken).ConfigureAwait(false);
        if (missing.Count > 0)
        {
            return $"remote target {missing[0]} is missing on {host.Name}";
        }

        return stale.Count > 0 ? $"{stale[0].RemoteName} differs on {host.Name}" : null;
    }

    /// <summary>Runs the node. Returns the method's result and the host-side stamps to record (shipped copies, fetched contents).</summary>
    public async Task<(object? Result, IReadOnlyDictionary<string, string> RemoteStamps)> RunAsync(TaskDescriptor task, IServiceProvider services, IReadOnlyDictionary<string, string>? recorded, CancellationToken cancellationToken)
    {
        var remoteStamps = new Dictionary<string, string>(StringComparer.Ordinal);
        var host = HostOf(task);
        var changed = task.Phase is SequencePhase.LocalPre or SequencePhase.RemoteSteps or SequencePhase.LocalPost;
        IRemoteConnection? connection = null;
        async Task<IRemoteConnection> Connection() => connection ??= await transport.ConnectAsync(host, null, cancellationToken).ConfigureAwait(false);

        // Ship: only what the host does not already have, one stream per directory.
        _hashes.Prime(projectDirectory, recorded);
        var files = task.Ships.SelectMany(s => RemoteFiles.Resolve(projectDirectory, HostExpansion.Substitute(s.Local, host), HostExpansion.Substitute(s.RemoteDirectory, host), _hashes)).ToList();
        if (files.Count > 0)
        {
            var (stale, _) = await RemoteFiles.CheckAsync(await Connection().ConfigureAwait(false), files, [], recorded, cancellationToken).ConfigureAwait(false);
            await RemoteFiles.SendAsync(connection!, stale, cancellationToken).ConfigureAwait(false);
            foreach (var (key, stamp) in await RemoteFiles.StampsAsync(connection!, files, cancellationToken).ConfigureAwait(false))
            {
                remoteStamps[key] = stamp;
            }

            foreach (var (key, stamp) in _hashes.Records(projectDirectory, files))
            {
                remoteStamps[key] = stamp;
            }

            changed |= stale.Count > 0;
            observer.TaskOutput(task.Name, stale.Count == 0
                ? $"ship: all {files.Count} files already on {host.Name}"
                : $"ship: sent {stale.Count} of {files.Count} files ({string.Join(", ", stale.Take(5).Select(f => f.RemoteName))}{(stale.Count > 5 ? ", ..." : "")})", false);
        }

        // Remote steps, in order, each on the connection of its user. Consecutive steps for one user without a
        // timeout go to the host in one write: the shell runs them back to back and stops at the first failure.
        var steps = task.RemoteSteps;
        for (var first = 0; first < steps.Count;)
        {
            var end = first + 1;
            while (end < steps.Count && steps[end].Timeout is null && steps[first].Timeout is null && steps[end].User == steps[first].User)
            {
                end++;
            }

            var user = steps[first].User;
            var stepConnection = user is null ? await Connection().ConfigureAwait(false) : await transport.ConnectAsync(host, user, cancellationToken).ConfigureAwait(false);
            var commands = new RemoteCommand[end - first];
            for (var k = first; k < end; k++)
            {
                var step = steps[k];
                commands[k - first] = new RemoteCommand(SubstituteQuoted(step.Command, host))
                {
                    Sudo = step.Sudo,
                    Timeout = step.Timeout,
                    AllowedExitCodes = step.AllowedExitCodes,
                    WorkingDirectory = step.WorkingDirectory is null ? null : HostExpansion.Substitute(step.WorkingDirectory, host),
                };
            }

            var results = await stepConnection.RunSequenceAsync(commands, (_, line) => observer.TaskOutput(task.Name, line.Text, line.IsError), cancellationToken).ConfigureAwait(false);
            if (results.Count > 0 && results[^1] is var last && (last.TimedOut || !commands[results.Count - 1].AllowedExitCodes.Contains(last.ExitCode)))
            {
                throw new CommandFailedException(last.ToCommandResult(), last.TimedOut);
            }

            first = end;
        }

        var context = new RemoteTaskContext(task, host, null, transport, projectDirectory, runner, observer, cancellationToken, _hashes);
        var value = await task.Invoke(new TaskInvocation(services, context)).ConfigureAwait(false);

        foreach (var fetch in task.Fetches)
        {
            var remotePath = HostExpansion.Substitute(fetch.RemotePath, host);
            var local = Path.Combine(projectDirectory, HostExpansion.FetchTarget(fetch, host));
            if (!await (await Connection().ConfigureAwait(false)).DownloadAsync(remotePath, local, cancellationToken).ConfigureAwait(false))
            {
                throw new FileNotFoundException($"fetch: {remotePath} does not exist on {host.Name}");
            }

            var hash = await HashFileAsync(local, cancellationToken).ConfigureAwait(false);
            remoteStamps[RemoteFiles.FetchKey(remotePath)] = hash;
            changed |= recorded is null || !recorded.TryGetValue(RemoteFiles.FetchKey(remotePath), out var before) || before != hash;
        }

        if (changed && task.Phase != SequencePhase.None)
        {
            _changed[task.Name] = true;
        }

        return (value, remoteStamps);
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
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
