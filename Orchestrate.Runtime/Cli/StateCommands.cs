using Orchestrate.Execution;
using Orchestrate.Hosting;
using Orchestrate.Planning;
using Orchestrate.UpToDate;

namespace Orchestrate.Cli;

/// <summary><c>forget</c>, <c>clean</c>, <c>ignore</c> and <c>info</c>: the commands that read or change the state store
/// outside a run. The writers take the project's lock, like a run. A group's sub-tasks go with it, as in doit: forgetting,
/// ignoring or cleaning a group does the same to each of its sub-tasks; the sub-tasks of a group created after another
/// task are those <see cref="KnownSubTasks"/> finds.</summary>
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

        await using var store = StateStore.Open(projectDirectory);
        var known = await KnownAsync(names, store, cancellationToken).ConfigureAwait(false);
        var forgotten = new List<string>();
        foreach (var i in known.Select(names))
        {
            var task = known.Graph.Tasks[i];
            var ignored = store.IsIgnored(task.Name);
            if (ignored || store.TryGet(task.Name, out _))
            {
                await store.ForgetAsync(task.Name).ConfigureAwait(false);
                // A group's own record is the results of its sub-tasks (for [ResultDep] on it): its sub-tasks are named.
                if (!task.YieldsSubTasks || ignored)
                {
                    forgotten.Add(task.Name);
                }
            }
        }

        // Which tasks, as doit says them (the first twenty: a forgotten group may hold thousands).
        const int Named = 20;
        var which = forgotten.Count == 0 ? " (none had a recorded success)"
            : ": " + string.Join(", ", forgotten.Order(StringComparer.Ordinal).Take(Named)) + (forgotten.Count > Named ? $" and {forgotten.Count - Named} more" : "");
        await Say($"forgot {forgotten.Count} {(forgotten.Count == 1 ? "task" : "tasks")}{which}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public async Task<int> IgnoreAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        using var runLock = await Lock(cancellationToken).ConfigureAwait(false);
        await using var store = StateStore.Open(projectDirectory);
        var known = await KnownAsync(names, store, cancellationToken).ConfigureAwait(false);
        foreach (var i in known.Select(names))
        {
            var name = known.Graph.Tasks[i].Name;
            await store.IgnoreAsync(name).ConfigureAwait(false);
            await Say($"ignoring {name} (until 'forget {name}')").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary><c>clean</c>: removes the tasks' targets (or runs their clean method), dependents first. With
    /// <paramref name="dependencies"/> (doit's <c>--clean-dep</c>) the tasks they depend on are cleaned too; with
    /// <paramref name="forget"/> (doit's <c>--forget</c>) each cleaned task's success is forgotten as well.</summary>
    public async Task<int> CleanAsync(IReadOnlyList<string> names, bool dryRun, bool dependencies, bool forget, bool color, CancellationToken cancellationToken)
    {
        using var runLock = await Lock(cancellationToken).ConfigureAwait(false);
        await using var store = File.Exists(StateStore.PathFor(projectDirectory)) ? StateStore.Open(projectDirectory) : null;
        var known = await KnownAsync(names, store, cancellationToken).ConfigureAwait(false);
        var roots = known.Select(names).ToArray();
        // As doit: with no task named, the default tasks are cleaned with what they depend on.
        var selected = (dependencies || names.Count == 0 ? known.Graph.Closure(roots) : roots).ToHashSet();
        foreach (var note in known.Notes)
        {
            // What the group would yield now is not known: only the targets of what ran are.
            await error.WriteLineAsync($"note: {note}").ConfigureAwait(false);
        }

        RunHost? host = null;
        try
        {
            // Dependents first: what a task made is removed before what it was made from.
            foreach (var i in known.Graph.TopologicalOrder.Reverse().Where(selected.Contains))
            {
                var task = known.Graph.Tasks[i];
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

            if (forget && store is not null)
            {
                await ForgetCleanedAsync(known.Graph, selected, store, dryRun).ConfigureAwait(false);
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

    private async Task ForgetCleanedAsync(TaskGraph known, HashSet<int> cleaned, StateStore store, bool dryRun)
    {
        foreach (var i in known.TopologicalOrder.Reverse().Where(cleaned.Contains))
        {
            var name = known.Tasks[i].Name;
            if (!store.TryGet(name, out _) && !store.IsIgnored(name))
            {
                continue;
            }

            if (!dryRun)
            {
                await store.ForgetAsync(name).ConfigureAwait(false);
            }

            await Say($"{(dryRun ? "would forget" : "forgot")} {name}").ConfigureAwait(false);
        }
    }

    /// <summary><c>info</c>: the task's doc, status (never ran, up to date, or out of date and why), method,
    /// dependencies, file deps and targets. A sub-task of a group created after another task is found too.</summary>
    public async Task<int> InfoAsync(string name, CancellationToken cancellationToken)
    {
        // Read only: the store is not written, and no lock is taken.
        await using var store = File.Exists(StateStore.PathFor(projectDirectory)) ? StateStore.Open(projectDirectory) : null;
        var known = await KnownAsync([name], store, cancellationToken).ConfigureAwait(false);
        var index = known.Resolve(name);
        var task = known.Graph.Tasks[index];
        var status = await StatusAsync(task, store, cancellationToken).ConfigureAwait(false);
        TaskInfoWriter.Info(known.Graph, index, status, output, known.RecordedOnly.Contains(task.Name)
            ? $"the state store (an earlier run ran it; '{task.Name[..task.Name.LastIndexOf(':')]}' does not yield it now, so its targets are not known)"
            : null);
        return ExitCodes.Success;
    }

    // The task's status in words: never ran, up to date, or out of date and why.
    private async Task<string> StatusAsync(TaskDescriptor task, StateStore? store, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return "out of date: never ran";
        }

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
        catch (UpToDateCheckException missing)
        {
            return $"cannot run: {missing.Message}";
        }
    }

    // The graph with the sub-tasks of the delayed groups the names involve.
    private async Task<KnownGraph> KnownAsync(IReadOnlyList<string> names, StateStore? store, CancellationToken cancellationToken)
    {
        await using var services = new LazyServices(settings, graph, projectDirectory, Reporting.NullRunObserver.Instance);
        return await KnownSubTasks.ExtendAsync(
            graph,
            names,
            store,
            async token => (await services.GetAsync(token).ConfigureAwait(false)).Services,
            projectDirectory,
            cancellationToken).ConfigureAwait(false);
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
