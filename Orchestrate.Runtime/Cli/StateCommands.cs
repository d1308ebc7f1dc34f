using Orchestrate.Execution;
using Orchestrate.Hosting;
using Orchestrate.Planning;
using Orchestrate.UpToDate;

namespace Orchestrate.Cli;

/// <summary><c>forget</c>, <c>clean</c>, <c>ignore</c>, and the status shown by <c>info</c>: the commands that
/// read or change the state store outside a run. The writers take the project's lock, like a run.</summary>
internal sealed class StateCommands(OrchestratorSettings settings, TaskGraph graph, string projectDirectory, bool wait, TextWriter output, TextWriter error)
{
    public async Task<int> ForgetAsync(IReadOnlyList<string> names, bool all, CancellationToken cancellationToken)
    {
        using var runLock = await Lock(cancellationToken).ConfigureAwait(false);
        if (all)
        {
            StateStore.Delete(projectDirectory);
            await Say("forgot every task: the state store was removed, every task will run again").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var tasks = TaskSelector.Roots(graph, names);
        await using var store = StateStore.Open(projectDirectory);
        var forgotten = 0;
        foreach (var i in tasks)
        {
            var name = graph.Tasks[i].Name;
            if (store.TryGet(name, out _) || store.IsIgnored(name))
            {
                await store.ForgetAsync(name).ConfigureAwait(false);
                forgotten++;
            }
        }

        await Say($"forgot {forgotten} {(forgotten == 1 ? "task" : "tasks")}" + (forgotten == 0 ? " (none had a recorded success)" : "")).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public async Task<int> IgnoreAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var tasks = names.Select(n => TaskSelector.Resolve(graph, n)).Distinct().ToList();
        using var runLock = await Lock(cancellationToken).ConfigureAwait(false);
        await using var store = StateStore.Open(projectDirectory);
        foreach (var i in tasks)
        {
            await store.IgnoreAsync(graph.Tasks[i].Name).ConfigureAwait(false);
            await Say($"ignoring {graph.Tasks[i].Name} (until 'forget {graph.Tasks[i].Name}')").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    public async Task<int> CleanAsync(IReadOnlyList<string> names, bool dryRun, bool color, CancellationToken cancellationToken)
    {
        var selected = TaskSelector.Roots(graph, names).ToHashSet();
        using var runLock = await Lock(cancellationToken).ConfigureAwait(false);
        RunHost? host = null;
        try
        {
            // Dependents first: what a task made is removed before what it was made from.
            foreach (var i in graph.TopologicalOrder.Reverse().Where(selected.Contains))
            {
                var task = graph.Tasks[i];
                if (task.Clean is { } clean)
                {
                    if (dryRun)
                    {
                        await Say($"would run the clean method of {task.Name}").ConfigureAwait(false);
                        continue;
                    }

                    host ??= await RunHost.StartAsync(settings, graph, projectDirectory, output, color, cancellationToken).ConfigureAwait(false);
                    var context = new LocalTaskContext(task, projectDirectory, host.Runner, host.Reporter, cancellationToken);
                    await clean(new TaskInvocation(host.Services, context)).ConfigureAwait(false);
                    await Say($"cleaned {task.Name}").ConfigureAwait(false);
                    continue;
                }

                foreach (var target in task.Targets.Reverse())
                {
                    await RemoveTargetAsync(task.Name, target, dryRun).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>The task's status in words, for <c>info</c>: never ran, up to date, or out of date and why.</summary>
    public async Task<string> StatusAsync(int index, CancellationToken cancellationToken)
    {
        var task = graph.Tasks[index];
        if (!File.Exists(StateStore.PathFor(projectDirectory)))
        {
            return "out of date: never ran";
        }

        await using var store = StateStore.Open(projectDirectory);
        if (store.IsIgnored(task.Name))
        {
            return "ignored (until forgotten)";
        }

        await using var host = await RunHost.StartAsync(settings, graph, projectDirectory, TextWriter.Null, false, cancellationToken).ConfigureAwait(false);
        try
        {
            var decision = await new UpToDateChecker(store, projectDirectory, host.Services, TimeProvider.System).CheckAsync(task, always: false, cancellationToken).ConfigureAwait(false);
            return decision.Run ? $"out of date: {decision.Reason}" : "up to date";
        }
        catch (MissingFileDepException missing)
        {
            return $"cannot run: {missing.Message}";
        }
    }

    private async Task RemoveTargetAsync(string task, string target, bool dryRun)
    {
        var path = Path.GetFullPath(target, projectDirectory);
        if (File.Exists(path))
        {
            if (!dryRun)
            {
                File.Delete(path);
            }

            await Say($"{(dryRun ? "would remove" : "removed")} {target} ({task})").ConfigureAwait(false);
        }
        else if (Directory.Exists(path))
        {
            // As doit does, a folder is removed only when empty: its files may not all be the task's.
            if (Directory.EnumerateFileSystemEntries(path).Any())
            {
                await Say($"kept {target} ({task}): the folder is not empty").ConfigureAwait(false);
            }
            else
            {
                if (!dryRun)
                {
                    Directory.Delete(path);
                }

                await Say($"{(dryRun ? "would remove" : "removed")} {target} ({task})").ConfigureAwait(false);
            }
        }
    }

    private Task<RunLock> Lock(CancellationToken cancellationToken) =>
        RunLock.AcquireAsync(projectDirectory, wait, line => error.WriteLine(line), cancellationToken);

    private async Task Say(string line)
    {
        await output.WriteLineAsync(line).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }
}
