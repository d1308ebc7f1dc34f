namespace Orchestrate.Planning;

/// <summary>
/// The tasks of a program and the edges between them: explicit dependencies, create-after, sequences, and
/// implicit ones where a file dep is another task's target. Tasks are numbered; edges are arrays
/// of numbers, so that planning and scheduling a hundred thousand tasks stays cheap.
/// </summary>
public sealed class TaskGraph
{
    private readonly Dictionary<string, int> _byName;
    private readonly Dictionary<string, int> _byTarget;
    private readonly TargetPattern[] _targetRegexes;

    private TaskGraph(IReadOnlyList<TaskDescriptor> tasks, Dictionary<string, int> byName, Dictionary<string, int> byTarget, TargetPattern[] targetRegexes, Dependency[][] dependencies)
    {
        Tasks = tasks;
        _targetRegexes = targetRegexes;
        _byName = byName;
        _byTarget = byTarget;
        Dependencies = dependencies;
        var dependents = new List<int>[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            foreach (var d in dependencies[i])
            {
                (dependents[d.Task] ??= []).Add(i);
            }
        }

        Dependents = dependents.Select(list => list?.ToArray() ?? []).ToArray();
    }

    /// <summary>The tasks, numbered by position.</summary>
    public IReadOnlyList<TaskDescriptor> Tasks { get; }

    /// <summary>For each task, the tasks it runs after, with why.</summary>
    public IReadOnlyList<Dependency[]> Dependencies { get; }

    /// <summary>For each task, the tasks that run after it.</summary>
    public IReadOnlyList<int[]> Dependents { get; }

    /// <summary>Builds and checks the graph.</summary>
    /// <exception cref="GraphException">Duplicate names or targets, a reference to no task, or a cycle.</exception>
    public static TaskGraph Build(IReadOnlyList<TaskDescriptor> tasks)
    {
        var byName = new Dictionary<string, int>(tasks.Count, StringComparer.Ordinal);
        for (var i = 0; i < tasks.Count; i++)
        {
            if (!byName.TryAdd(tasks[i].Name, i))
            {
                throw new GraphException(
                    $"two tasks are named '{tasks[i].Name}' ({Describe(tasks[byName[tasks[i].Name]])} and {Describe(tasks[i])}): give one of them another name with [Task(\"...\")]");
            }
        }

        // Sized for a target per task, the usual case, so that it is not rebuilt a dozen times on the way.
        var byTarget = new Dictionary<string, int>(tasks.Count, StringComparer.Ordinal);
        for (var i = 0; i < tasks.Count; i++)
        {
            var targets = tasks[i].Targets;
            for (var t = 0; t < targets.Count; t++)
            {
                var target = targets[t];
                var key = PathNames.Normalize(target);
                if (!byTarget.TryAdd(key, i) && byTarget[key] != i)
                {
                    throw new GraphException(
                        $"target '{target}' is declared by two tasks, '{tasks[byTarget[key]].Name}' and '{tasks[i].Name}': each file may be the target of one task only");
                }
            }
        }

        var targetRegexes = SubTaskExpansion.TargetRegexes(tasks);
        var sequenced = SequenceEdges(tasks, byName);
        var dependencies = new Dependency[tasks.Count][];
        var edges = new List<Dependency>();
        var seen = new HashSet<int>();
        for (var i = 0; i < tasks.Count; i++)
        {
            edges.Clear();
            seen.Clear();
            var task = tasks[i];
            foreach (var name in task.DependsOn)
            {
                AddEdge(edges, seen, Resolve(byName, task, name, "depends on"), DependencyKind.Explicit, null);
            }

            if (task.CreateAfter is { } after)
            {
                AddEdge(edges, seen, Resolve(byName, task, after, "is created after"), DependencyKind.CreateAfter, null);
            }

            foreach (var calc in task.CalcDeps)
            {
                AddEdge(edges, seen, Resolve(byName, task, calc, "has its deps computed by"), DependencyKind.CalcDep, null);
            }

            foreach (var rule in task.UpToDate)
            {
                if (rule is ResultDepRule resultDep)
                {
                    AddEdge(edges, seen, Resolve(byName, task, resultDep.Task, "depends on the result of"), DependencyKind.ResultDep, null);
                }
            }

            if (sequenced?[i] is { } sequencedAfter)
            {
                foreach (var previous in sequencedAfter)
                {
                    AddEdge(edges, seen, previous, DependencyKind.Sequence, null);
                }
            }

            var fileDeps = task.FileDeps;
            for (var f = 0; f < fileDeps.Count; f++)
            {
                var fileDep = fileDeps[f];
                if (Glob.IsPattern(fileDep))
                {
                    // A pattern depends on every task whose target it matches.
                    foreach (var producer in Producers(fileDep, byTarget, i))
                    {
                        AddEdge(edges, seen, producer.Task, DependencyKind.FileDep, producer.Target);
                    }
                }
                else if (byTarget.TryGetValue(PathNames.Normalize(fileDep), out var producer) && producer != i)
                {
                    AddEdge(edges, seen, producer, DependencyKind.FileDep, fileDep);
                }
                else if (targetRegexes.Length > 0 && SubTaskExpansion.MatchTargetRegex(targetRegexes, fileDep) is { } group && group != i)
                {
                    // A target that a task created after another will make (doit misses this order, #122/#152).
                    AddEdge(edges, seen, group, DependencyKind.FileDep, fileDep);
                }
            }

            dependencies[i] = edges.Count == 0 ? [] : edges.ToArray();
        }

        var graph = new TaskGraph(tasks, byName, byTarget, targetRegexes, dependencies);
        graph.SortOrThrow();
        var all = new int[tasks.Count];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = i;
        }

        graph.TopologicalOrder = graph.DeclarationOrder(all, new bool[tasks.Count]);
        return graph;
    }

    /// <summary>Every task, each after all it depends on, in doit's order: the tasks in the order they are declared
    /// (the catalog's order: source order of the <c>[Task]</c> methods), each preceded by what it depends on, in the
    /// order its dependencies are declared. The scheduler starts ready tasks in this order, so that a run with one
    /// job runs its tasks as doit would.</summary>
    public int[] TopologicalOrder { get; private set; } = [];

    /// <summary>The task of that exact name.</summary>
    public bool TryFind(string name, out int index) => _byName.TryGetValue(name, out index);

    /// <summary>The task that declares this target.</summary>
    public bool TryFindTarget(string path, out int index) => _byTarget.TryGetValue(PathNames.Normalize(path), out index);

    /// <summary>The task created after another (<see cref="CreateAfterAttribute"/>) whose target regex matches this
    /// path: it will make the file once it exists (doit's <c>target_regex</c>).</summary>
    // Apart from Build, so that a graph without glob file deps never loads the regular expression library.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<(int Task, string Target)> Producers(string glob, Dictionary<string, int> byTarget, int task)
    {
        var pattern = Glob.ToRegex(glob);
        var producers = new List<(int, string)>();
        foreach (var (target, producer) in byTarget)
        {
            if (producer != task && pattern.IsMatch(target))
            {
                producers.Add((producer, target));
            }
        }

        return producers;
    }

    /// <summary>A name <c>group:sub</c> whose group is created after another task (<see cref="CreateAfterAttribute"/>):
    /// its sub-tasks, and so that one, exist only once the group's method ran; <paramref name="group"/> is the group.</summary>
    public bool TryFindDelayedSubTask(string name, out int group)
    {
        group = -1;
        var colon = name.IndexOf(':');
        if (colon <= 0 || colon == name.Length - 1 || !_byName.TryGetValue(name[..colon], out var index))
        {
            return false;
        }

        var task = Tasks[index];
        if (!task.YieldsSubTasks || task.CreateAfter is null || task.IsHostGroup)
        {
            return false;
        }

        group = index;
        return true;
    }

    public bool TryFindTargetRegex(string path, out int index)
    {
        index = _targetRegexes.Length == 0 ? -1 : SubTaskExpansion.MatchTargetRegex(_targetRegexes, path) ?? -1;
        return index >= 0;
    }

    /// <summary>The given tasks and everything they depend on, each after its dependencies.</summary>
    public int[] Closure(IEnumerable<int> roots) => Closure(roots as int[] ?? [.. roots]);

    /// <summary>The given tasks and everything they depend on, each after its dependencies: the roots in the order
    /// given (as doit runs the tasks named on its command line), each preceded by what it depends on.</summary>
    public int[] Closure(int[] roots) => DeclarationOrder(roots, new bool[Tasks.Count]);

    // Depth first from each root in turn, each task emitted after its dependencies (post-order): a topological order
    // in which tasks come as doit runs them. Iterative, so that a chain of 100,000 tasks needs no deep stack.
    private int[] DeclarationOrder(int[] roots, bool[] visited)
    {
        var order = new List<int>(roots.Length);
        var stack = new Stack<(int Task, int Next)>();
        for (var r = 0; r < roots.Length; r++)
        {
            if (visited[roots[r]])
            {
                continue;
            }

            visited[roots[r]] = true;
            stack.Push((roots[r], 0));
            while (stack.Count > 0)
            {
                var (task, next) = stack.Pop();
                var dependencies = Dependencies[task];
                if (next < dependencies.Length)
                {
                    stack.Push((task, next + 1));
                    var dependency = dependencies[next].Task;
                    if (!visited[dependency])
                    {
                        visited[dependency] = true;
                        stack.Push((dependency, 0));
                    }

                    continue;
                }

                order.Add(task);
            }
        }

        return order.ToArray();
    }

    // Sequence S = [e1..en]: Entry(e(k+1)) runs after ek, S after en, and Entry(e1) after S's own dependencies,
    // where Entry(x) is x, or for a sequence the Entry of its first element (so nested sequences chain), or for a
    // host task's group node each of its host nodes (the group node only joins them).
    private static List<int>?[]? SequenceEdges(IReadOnlyList<TaskDescriptor> tasks, Dictionary<string, int> byName)
    {
        List<int>?[]? after = null;
        for (var s = 0; s < tasks.Count; s++)
        {
            var sequence = tasks[s];
            if (sequence.Sequence.Count == 0)
            {
                continue;
            }

            after ??= new List<int>?[tasks.Count];
            var elements = new int[sequence.Sequence.Count];
            for (var e = 0; e < elements.Length; e++)
            {
                var name = sequence.Sequence[e];
                elements[e] = byName.TryGetValue(name, out var element)
                    ? element
                    : throw new GraphException($"task '{sequence.Name}' has '{name}' in its [Sequence], which is not a task: declare it with [Task] or fix the name");
            }

            for (var e = 1; e < elements.Length; e++)
            {
                foreach (var entry in Entries(tasks, byName, elements[e]))
                {
                    (after[entry] ??= []).Add(elements[e - 1]);
                }
            }

            (after[s] ??= []).Add(elements[^1]);
            foreach (var name in sequence.DependsOn)
            {
                var dependency = Resolve(byName, sequence, name, "depends on");
                foreach (var entry in Entries(tasks, byName, elements[0]))
                {
                    (after[entry] ??= []).Add(dependency);
                }
            }
        }

        return after;
    }

    private static List<int> Entries(IReadOnlyList<TaskDescriptor> tasks, Dictionary<string, int> byName, int element)
    {
        var entries = new List<int>();
        AddEntries(tasks, byName, element, [], entries);
        return entries;
    }

    private static void AddEntries(IReadOnlyList<TaskDescriptor> tasks, Dictionary<string, int> byName, int element, List<int> path, List<int> entries)
    {
        var task = tasks[element];
        if (task.Sequence.Count > 0)
        {
            if (path.Contains(element))
            {
                var cycle = path.Skip(path.IndexOf(element)).Append(element).Select(i => tasks[i].Name);
                throw new GraphException($"dependency cycle: {string.Join(" -> ", cycle)} (each sequence starts with the next): remove one of these elements");
            }

            var first = task.Sequence[0];
            path.Add(element);
            AddEntries(tasks, byName, byName.TryGetValue(first, out var index)
                ? index
                : throw new GraphException($"task '{task.Name}' has '{first}' in its [Sequence], which is not a task: declare it with [Task] or fix the name"), path, entries);
            path.RemoveAt(path.Count - 1);
        }
        else if (task.IsHostGroup)
        {
            // The group node only joins its host nodes: they are where the task starts.
            foreach (var node in task.DependsOn)
            {
                AddEntries(tasks, byName, Resolve(byName, task, node, "depends on"), path, entries);
            }
        }
        else
        {
            entries.Add(element);
        }
    }

    private static void AddEdge(List<Dependency> edges, HashSet<int> seen, int target, DependencyKind kind, string? path)
    {
        if (seen.Add(target))
        {
            edges.Add(new Dependency(target, kind, path));
        }
    }

    private static int Resolve(Dictionary<string, int> byName, TaskDescriptor task, string reference, string verb) =>
        byName.TryGetValue(reference, out var index)
            ? index
            : throw new GraphException($"task '{task.Name}' {verb} '{reference}', which is not a task: declare it with [Task] or fix the name");

    private static string Describe(TaskDescriptor task) => string.IsNullOrEmpty(task.Method) ? task.Name : task.Method;

    // Throws on a cycle, naming it.
    private void SortOrThrow()
    {
        var count = Tasks.Count;
        var pending = new int[count];
        for (var i = 0; i < count; i++)
        {
            pending[i] = Dependencies[i].Length;
        }

        var order = new int[count];
        var head = 0;
        var tail = 0;
        for (var i = 0; i < count; i++)
        {
            if (pending[i] == 0)
            {
                order[tail++] = i;
            }
        }

        while (head < tail)
        {
            var i = order[head++];
            foreach (var d in Dependents[i])
            {
                if (--pending[d] == 0)
                {
                    order[tail++] = d;
                }
            }
        }

        if (tail == count)
        {
            return;
        }

        var unsorted = Array.FindIndex(pending, p => p > 0);
        throw new GraphException($"dependency cycle: {DescribeCycle(unsorted, pending)}: remove one of these dependencies");
    }

    // Every unsorted task has an unsorted dependency: walking them from any unsorted task must
    // come back to a task already seen, and the walk from there is a cycle.
    private string DescribeCycle(int start, int[] pending)
    {
        var path = new List<int>();
        var seen = new Dictionary<int, int>();
        var current = start;
        while (!seen.ContainsKey(current))
        {
            seen[current] = path.Count;
            path.Add(current);
            current = Dependencies[current].First(d => pending[d.Task] > 0).Task;
        }

        var cycle = path.Skip(seen[current]).Append(current).Select(i => Tasks[i].Name);
        return string.Join(" -> ", cycle);
    }
}
