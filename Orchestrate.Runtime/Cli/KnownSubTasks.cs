using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.UpToDate;

namespace Orchestrate.Cli;

/// <summary>
/// The sub-tasks of groups created after another task (<see cref="CreateAfterAttribute"/>), for the commands outside
/// a run (<c>info</c>, <c>forget</c>, <c>ignore</c>, <c>clean</c>), which otherwise would not know them: they exist
/// only once the group's method ran. As doit does for every command but <c>run</c>, the group's method is called now,
/// on the files as they are (a group whose method fails, say because what its first task makes is missing, yields
/// nothing); the sub-tasks the state store knows by name (<c>group:name</c>: a success, a failure or an ignore mark
/// recorded by an earlier run) are added, with the file deps recorded, but no targets, which the store does not keep.
/// Only the groups the command's names involve are called.
/// </summary>
internal static class KnownSubTasks
{
    /// <summary>The graph, with the sub-tasks of the delayed groups <paramref name="names"/> involve (a group, one of
    /// its sub-tasks, a target its regex matches, or, when no name is given, a group among the default tasks); each
    /// such group depends on its sub-tasks. The same graph when no delayed group is involved.</summary>
    /// <param name="graph">The program's graph.</param>
    /// <param name="names">The names given on the command line.</param>
    /// <param name="store">The state store, or null when there is none yet.</param>
    /// <param name="services">The run's services, for a group method that takes some.</param>
    /// <param name="projectDirectory">The project directory.</param>
    /// <param name="cancellationToken">The command's cancellation.</param>
    public static async Task<KnownGraph> ExtendAsync(
        TaskGraph graph,
        IReadOnlyList<string> names,
        StateStore? store,
        Func<CancellationToken, ValueTask<IServiceProvider>> services,
        string projectDirectory,
        CancellationToken cancellationToken)
    {
        var groups = Involved(graph, names);
        if (groups.Count == 0)
        {
            return new KnownGraph(graph, new HashSet<string>(StringComparer.Ordinal), []);
        }

        var tasks = graph.Tasks.ToList();
        var recordedOnly = new HashSet<string>(StringComparer.Ordinal);
        var notes = new List<string>();
        var current = graph;
        var runner = new ProcessRunner();
        foreach (var index in groups)
        {
            var group = graph.Tasks[index];
            List<TaskDescriptor> yielded = [];
            try
            {
                var provider = group.ServiceType is not null || group.TakesServices ? await services(cancellationToken).ConfigureAwait(false) : EmptyServices.Instance;
                yielded = SubTaskExpansion.Describe(group, await SubTaskExpansion.YieldAsync(group, projectDirectory, runner, provider, cancellationToken).ConfigureAwait(false));
            }
            catch (GraphException e)
            {
                notes.Add($"{e.Message}; only its sub-tasks recorded by earlier runs are known");
            }

            var recorded = Recorded(group, store, yielded.Select(t => t.Name).ToHashSet(StringComparer.Ordinal));
            if (Add(tasks, index, [.. yielded, .. recorded]) is { } extended)
            {
                current = extended;
            }
            else if (Add(tasks, index, recorded) is { } withRecorded)
            {
                // A yielded sub-task whose deps or targets do not fit the graph would be refused by a run too.
                notes.Add($"the sub-tasks '{group.Name}' yields now do not fit the graph (a run would refuse them); only those recorded by earlier runs are known");
                current = withRecorded;
            }
            else
            {
                continue;
            }

            recordedOnly.UnionWith(recorded.Select(r => r.Name));
        }

        return new KnownGraph(current, recordedOnly, notes);
    }

    /// <summary>The sub-tasks of the group at <paramref name="index"/> in a graph <see cref="ExtendAsync"/> made (or a
    /// group yielding its sub-tasks when the graph is loaded), by name <c>group:name</c>.</summary>
    public static IEnumerable<int> Of(TaskGraph graph, int index)
    {
        var group = graph.Tasks[index];
        if (!group.YieldsSubTasks)
        {
            yield break;
        }

        var prefix = group.Name + ":";
        foreach (var dependency in graph.Dependencies[index])
        {
            if (graph.Tasks[dependency.Task].Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return dependency.Task;
            }
        }
    }

    // The delayed groups the names involve.
    private static List<int> Involved(TaskGraph graph, IReadOnlyList<string> names)
    {
        var groups = new List<int>();
        if (!graph.Tasks.Any(DynamicTasks.IsDelayedGroup))
        {
            return groups;
        }

        void Add(int index)
        {
            if (DynamicTasks.IsDelayedGroup(graph.Tasks[index]) && !groups.Contains(index))
            {
                groups.Add(index);
            }
        }

        if (names.Count == 0)
        {
            foreach (var root in TaskSelector.Roots(graph, names))
            {
                Add(root);
            }

            return groups;
        }

        foreach (var name in names)
        {
            if (Find(graph, name) is { } index)
            {
                Add(index);
                continue;
            }

            for (var colon = name.IndexOf(':'); colon > 0; colon = name.IndexOf(':', colon + 1))
            {
                if (Find(graph, name[..colon]) is { } group)
                {
                    Add(group);
                }
            }
        }

        return groups;
    }

    // The task a name means, as the command line takes it (a name, a target, a method name, a target the regex of a
    // group matches); null for none.
    private static int? Find(TaskGraph graph, string name)
    {
        try
        {
            return TaskSelector.Resolve(graph, name);
        }
        catch (UsageException)
        {
            return null;
        }
    }

    // The sub-tasks the store knows that the group does not yield now: their recorded file deps, no targets.
    private static List<TaskDescriptor> Recorded(TaskDescriptor group, StateStore? store, HashSet<string> yielded)
    {
        var recorded = new List<TaskDescriptor>();
        if (store is null)
        {
            return recorded;
        }

        foreach (var name in store.TasksStartingWith(group.Name + ":"))
        {
            if (yielded.Contains(name) || name.IndexOf(':', group.Name.Length + 1) >= 0)
            {
                continue;
            }

            recorded.Add(new TaskDescriptor
            {
                Name = name,
                Method = group.Method,
                Source = group.Source,
                FileDeps = store.TryGet(name, out var state) ? [.. state.FileDeps.Select(f => f.Path)] : [],
                Invoke = SubTaskExpansion.Nothing,
            });
        }

        return recorded;
    }

    // The graph with these sub-tasks, their group depending on them (and without its target regex: the sub-tasks
    // declare their targets themselves); null when they do not form a valid graph with the others.
    private static TaskGraph? Add(List<TaskDescriptor> tasks, int group, List<TaskDescriptor> subTasks)
    {
        var candidate = new List<TaskDescriptor>(tasks.Count + subTasks.Count);
        candidate.AddRange(tasks);
        candidate[group] = SubTaskExpansion.Copy(tasks[group], dependsOn: [.. tasks[group].DependsOn, .. subTasks.Select(s => s.Name)], withoutTargetRegex: true);
        candidate.AddRange(subTasks);
        TaskGraph graph;
        try
        {
            graph = TaskGraph.Build(candidate);
        }
        catch (GraphException)
        {
            return null;
        }

        tasks.Clear();
        tasks.AddRange(candidate);
        return graph;
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>A graph with the sub-tasks of delayed groups the command needs.</summary>
/// <param name="Graph">The graph.</param>
/// <param name="RecordedOnly">The sub-tasks known only from the state store: their groups do not yield them now.</param>
/// <param name="Notes">Why a group's sub-tasks are known only from the state store (its method failed now...).</param>
internal sealed record KnownGraph(TaskGraph Graph, IReadOnlySet<string> RecordedOnly, IReadOnlyList<string> Notes)
{
    /// <summary>The task a name on the command line means; a name that matches nothing is one line that also says
    /// why a group could not tell its sub-tasks.</summary>
    /// <exception cref="UsageException">No task has that name.</exception>
    public int Resolve(string name)
    {
        try
        {
            return TaskSelector.Resolve(Graph, name);
        }
        catch (UsageException e) when (Notes.Count > 0)
        {
            throw new UsageException($"{e.Message} (note: {string.Join("; ", Notes)})");
        }
    }

    /// <summary>The tasks the names select (<see cref="TaskSelector.Roots"/>), each group followed by its sub-tasks.</summary>
    /// <exception cref="UsageException">A name matches no task.</exception>
    public List<int> Select(IReadOnlyList<string> names)
    {
        var roots = names.Count == 0 ? TaskSelector.Roots(Graph, names) : names.Select(Resolve).ToArray();
        var result = new List<int>();
        var seen = new HashSet<int>();
        foreach (var i in roots)
        {
            if (seen.Add(i))
            {
                result.Add(i);
            }

            // doit's forget, ignore and clean of a group: its sub-tasks too.
            foreach (var subTask in KnownSubTasks.Of(Graph, i))
            {
                if (seen.Add(subTask))
                {
                    result.Add(subTask);
                }
            }
        }

        return result;
    }
}
