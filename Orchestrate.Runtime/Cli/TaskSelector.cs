using Orchestrate.Planning;

namespace Orchestrate.Cli;

/// <summary>Turns the names given on the command line into tasks: a task name, a target path (the task
/// that makes it, as in doit), or a method name; anything else gets a "did you mean" line.</summary>
internal static class TaskSelector
{
    public static int[] Roots(TaskGraph graph, IReadOnlyList<string> requested)
    {
        if (requested.Count == 0)
        {
            // Loops rather than Enumerable.Range: its ToArray fills with Vector<int>, compiled at run time on every
            // start (ReadyToRun cannot fix the vector size ahead).
            var tasks = graph.Tasks;
            var defaults = 0;
            for (var i = 0; i < tasks.Count; i++)
            {
                defaults += tasks[i].IsDefault ? 1 : 0;
            }

            var roots = new int[defaults > 0 ? defaults : tasks.Count];
            for (int i = 0, k = 0; i < tasks.Count; i++)
            {
                if (defaults == 0 || tasks[i].IsDefault)
                {
                    roots[k++] = i;
                }
            }

            return roots;
        }

        return requested.Select(name => ResolveForRun(graph, name)).Distinct().ToArray();
    }

    // In a run, a sub-task of a group created after another task may be named before it exists: the group runs then,
    // and of its sub-tasks only that one (as doit runs `doit proc:b`).
    private static int ResolveForRun(TaskGraph graph, string name) =>
        !graph.TryFind(name, out _) && graph.TryFindDelayedSubTask(name, out var group) ? group : Resolve(graph, name);

    public static int Resolve(TaskGraph graph, string name)
    {
        // A target no task declares yet, that a task created after another will make (doit's target_regex).
        if (graph.TryFind(name, out var index) || graph.TryFindTarget(name, out index) || graph.TryFindTargetRegex(name, out index))
        {
            return index;
        }

        var loose = Enumerable.Range(0, graph.Tasks.Count)
            .Where(i => string.Equals(graph.Tasks[i].Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(graph.Tasks[i].Method, name, StringComparison.OrdinalIgnoreCase)
                || MethodName(graph.Tasks[i]).Equals(name, StringComparison.OrdinalIgnoreCase))
            .Take(2)
            .ToArray();
        if (loose.Length == 1)
        {
            return loose[0];
        }

        var suggestion = Suggest(graph, name);
        throw new UsageException(
            $"unknown task '{name}'." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?") + " Run 'list' to see all tasks.");
    }

    private static string MethodName(TaskDescriptor task)
    {
        var dot = task.Method.LastIndexOf('.');
        return dot < 0 ? task.Method : task.Method[(dot + 1)..];
    }

    // The nearest task name by edit distance, as for hosts and settings (one measure for every "did you mean").
    private static string? Suggest(TaskGraph graph, string name) => Remote.Inventory.Text.Nearest(name, graph.Tasks.Select(t => t.Name));
}
