using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;

namespace Orchestrate.Generators
{
    /// <summary>The checks that need every task: names, targets, references (forever tasks included), sequences and cycles.</summary>
    internal static partial class GraphAnalyzer
    {
        private const string HostPlaceholder = "{host}";

        private const string RemoveDependency = "Remove the dependency: a forever task runs alongside the others and is stopped once they are done.";

        private const string NoForeverSuper = "Name a host task that ends by itself: a sub sequence runs after its super sequence.";

        private const string RemoveFromSequence = "Remove it from the [Sequence]: a forever task runs alongside the others and is stopped once they are done.";

        /// <summary>Sets the per-host paths of host tasks apart (no path holds this character).</summary>
        private const string PerHostMark = "\u0001";

        private readonly struct Edge
        {
            public Edge(int to, LocationInfo? location, string label)
            {
                To = to;
                Location = location;
                Label = label;
            }

            public int To { get; }

            public LocationInfo? Location { get; }

            /// <summary>Shown after the target's name in a cycle path; empty for an explicit dependency.</summary>
            public string Label { get; }
        }

        public static EquatableArray<DiagnosticInfo> Analyze(ImmutableArray<TaskModel> models, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            foreach (TaskModel model in models)
            {
                diagnostics.AddRange(model.Diagnostics);
            }

            TaskSpec[] specs = models.Select(m => m.Spec).ToArray();
            CheckDuplicateNames(models, diagnostics);
            Dictionary<string, List<int>> targetOwners = CheckDuplicateTargets(models, diagnostics);
            cancellationToken.ThrowIfCancellationRequested();

            List<Edge>[] edges = BuildEdges(models, specs, targetOwners, diagnostics);
            AddCalcDepEdges(models, specs, edges, diagnostics);
            cancellationToken.ThrowIfCancellationRequested();
            CheckCycles(models, edges, diagnostics, cancellationToken);
            return diagnostics.ToEquatableArray();
        }

        private static void CheckDuplicateNames(ImmutableArray<TaskModel> models, List<DiagnosticInfo> diagnostics)
        {
            foreach (IGrouping<string, int> group in Enumerable.Range(0, models.Length).GroupBy(i => models[i].Spec.Name, StringComparer.Ordinal))
            {
                List<int> members = group.ToList();
                if (members.Count < 2)
                {
                    continue;
                }

                foreach (int member in members)
                {
                    List<int> others = members.Where(o => o != member).ToList();
                    string otherText = (others.Count == 1 ? "method " : "methods ")
                        + string.Join(", ", others.Select(o => "'" + models[o].Spec.MethodDisplay + "'"));
                    EquatableArray<LocationInfo> additional = others
                        .Select(o => models[o].TaskAttribute)
                        .OfType<LocationInfo>()
                        .ToEquatableArray();
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.DuplicateName,
                        models[member].TaskAttribute,
                        additional,
                        group.Key,
                        models[member].Spec.MethodDisplay,
                        otherText));
                }
            }
        }

        /// <summary>Reports targets declared by several tasks; returns the owners of each normalized target.</summary>
        private static Dictionary<string, List<int>> CheckDuplicateTargets(ImmutableArray<TaskModel> models, List<DiagnosticInfo> diagnostics)
        {
            var owners = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            var firstDeclaration = new Dictionary<(string Target, int Task), int>();
            for (int task = 0; task < models.Length; task++)
            {
                EquatableArray<string> targets = models[task].Spec.Targets;
                for (int t = 0; t < targets.Count; t++)
                {
                    string normalized = PathKey(models[task].Spec, targets[t]);
                    if (firstDeclaration.ContainsKey((normalized, task)))
                    {
                        continue;
                    }

                    firstDeclaration.Add((normalized, task), t);
                    if (!owners.TryGetValue(normalized, out List<int>? list))
                    {
                        list = new List<int>();
                        owners.Add(normalized, list);
                    }

                    list.Add(task);
                }
            }

            foreach (KeyValuePair<string, List<int>> pair in owners.OrderBy(p => p.Value[0]).ThenBy(p => p.Key, StringComparer.Ordinal))
            {
                List<int> tasks = pair.Value;
                if (tasks.Count < 2)
                {
                    continue;
                }

                foreach (int task in tasks)
                {
                    int index = firstDeclaration[(pair.Key, task)];
                    TaskModel model = models[task];
                    List<int> others = tasks.Where(o => o != task).ToList();
                    string otherText = (others.Count == 1 ? "task " : "tasks ")
                        + string.Join(", ", others.Select(o => "'" + models[o].Spec.Name + "'"));
                    EquatableArray<LocationInfo> additional = others
                        .Select(o => TargetLocation(models[o], pair.Key))
                        .OfType<LocationInfo>()
                        .ToEquatableArray();
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.DuplicateTarget,
                        index < model.TargetLocations.Count ? model.TargetLocations[index].Attribute : model.TaskAttribute,
                        additional,
                        model.Spec.Targets[index],
                        model.Spec.Name,
                        otherText));
                }
            }

            return owners;
        }

        /// <summary>
        /// A target or file dep as the graph checks compare it: normalized, and for a host task whose path holds
        /// <c>{host}</c>, apart from every local path, since it names one file per host. Two host tasks with the
        /// same templated path still compare equal: they make the same file on each host.
        /// </summary>
        private static string PathKey(TaskSpec spec, string path)
        {
            string normalized = Naming.NormalizePath(path);
            return spec.Remote.Hosts is not null && HasHostPlaceholder(normalized) ? PerHostMark + normalized : normalized;
        }

        /// <summary>Whether <paramref name="path"/> holds <c>{host}</c> as a placeholder (<c>{{</c> is a literal brace).</summary>
        private static bool HasHostPlaceholder(string path)
        {
            for (int i = 0; i < path.Length; i++)
            {
                if (path[i] != '{')
                {
                    continue;
                }

                if (i + 1 < path.Length && path[i + 1] == '{')
                {
                    i++;
                }
                else if (string.CompareOrdinal(path, i, HostPlaceholder, 0, HostPlaceholder.Length) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        private static LocationInfo? TargetLocation(TaskModel model, string normalized)
        {
            for (int i = 0; i < model.Spec.Targets.Count && i < model.TargetLocations.Count; i++)
            {
                if (PathKey(model.Spec, model.Spec.Targets[i]) == normalized)
                {
                    return model.TargetLocations[i].Attribute;
                }
            }

            return model.TaskAttribute;
        }

        private static List<Edge>[] BuildEdges(
            ImmutableArray<TaskModel> models,
            TaskSpec[] specs,
            Dictionary<string, List<int>> targetOwners,
            List<DiagnosticInfo> diagnostics)
        {
            var resolver = new ReferenceResolver(specs);
            var edges = new List<Edge>[models.Length];
            for (int task = 0; task < models.Length; task++)
            {
                edges[task] = new List<Edge>();
            }

            // Sequences first: a sequence task's dependencies go to its entry, which needs every sequence resolved.
            int[]?[]? sequences = AddSequenceEdges(resolver, models, edges, diagnostics);
            for (int task = 0; task < models.Length; task++)
            {
                TaskModel model = models[task];
                List<Edge> list = edges[task];

                // A sequence task's [DependsOn] apply to its first element (through nested sequences).
                int dependent = sequences is null ? task : Entry(task, sequences);
                string dependsOnLabel = dependent == task ? string.Empty : " (dependency of sequence '" + model.Spec.Name + "')";
                for (int d = 0; d < model.Spec.DependsOn.Count; d++)
                {
                    ReferenceLocation? location = d < model.DependsOnLocations.Count ? model.DependsOnLocations[d] : null;
                    // A dependency on a forever task waits for it to start, not to finish (the runtime's rule): allowed.
                    int to = Resolve(resolver, models, task, model.Spec.DependsOn[d], "depends on", null, location, diagnostics);
                    if (to >= 0)
                    {
                        edges[dependent].Add(new Edge(to, location?.Attribute ?? model.TaskAttribute, dependsOnLabel));
                    }
                }

                int resultDep = 0;
                foreach (RuleSpec rule in model.Spec.UpToDate)
                {
                    if (rule.Kind == UpToDateRuleKind.ResultDep)
                    {
                        ReferenceLocation? location = resultDep < model.ResultDepLocations.Count ? model.ResultDepLocations[resultDep] : null;
                        AddReference(resolver, models, task, rule.Argument, "depends on the result of", location, list, diagnostics);
                        resultDep++;
                    }
                }

                if (model.Spec.CreateAfter is { } createAfter)
                {
                    AddReference(resolver, models, task, createAfter, "is created after", model.CreateAfterLocation, list, diagnostics);
                }

                for (int f = 0; f < model.Spec.FileDeps.Count; f++)
                {
                    string fileDep = model.Spec.FileDeps[f];
                    if (!targetOwners.TryGetValue(PathKey(model.Spec, fileDep), out List<int>? owners))
                    {
                        continue;
                    }

                    LocationInfo? location = f < model.FileDepLocations.Count ? model.FileDepLocations[f].Attribute : model.TaskAttribute;
                    foreach (int owner in owners)
                    {
                        if (owner != task)
                        {
                            string label = " (file dep '" + fileDep + "' is a target of '" + specs[owner].Name + "')";
                            list.Add(new Edge(owner, location ?? model.TaskAttribute, label));
                        }
                    }
                }
            }

            AddSubSequenceEdges(resolver, models, edges, diagnostics);
            return edges;
        }

        /// <summary>
        /// Resolves every <c>[SubSequenceOf]</c> (ORCH0002, ORCH0007, ORCH0021, ORCH0024) and adds the edges the runtime's
        /// expansion implies: the super task's node gathers its sub sequences, so it waits for what they depend on; a sub
        /// sequence runs after its super sequence on each host, so it waits for what the super sequence depends on. There
        /// is no edge between the two themselves; an explicit one between them comes back to its own task as a cycle.
        /// </summary>
        private static void AddSubSequenceEdges(ReferenceResolver resolver, ImmutableArray<TaskModel> models, List<Edge>[] edges, List<DiagnosticInfo> diagnostics)
        {
            List<(int Sub, int Super)>? pairs = null;
            for (int task = 0; task < models.Length; task++)
            {
                TaskModel model = models[task];
                string? reference = model.Spec.RemoteSequence.SubSequenceOf;
                if (reference is null)
                {
                    continue;
                }

                ReferenceLocation? location = model.SubSequenceOfLocation;
                int super = Resolve(resolver, models, task, reference, "is a sub sequence of", NoForeverSuper, location, diagnostics);
                if (super < 0)
                {
                    continue;
                }

                TaskSpec target = models[super].Spec;
                string[]? problem = super == task
                    ? new[] { "that is the task itself", "Name the host task it runs after on each host." }
                    : target.RemoteSequence.SubSequenceOf is { } superOfSuper
                        ? new[]
                        {
                            "'" + target.Name + "' is itself a sub sequence (of '" + superOfSuper + "'), and sub sequences do not nest",
                            "Name a host task with [Hosts] as its super sequence, such as '" + superOfSuper + "'.",
                        }
                        : target.Remote.Hosts is null
                            ? new[] { "'" + target.Name + "' is not a host task", "Mark '" + target.MethodDisplay + "' with [Hosts(\"group\")], or name a host task." }
                            : null;
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.InvalidSuperSequence,
                        location?.Best ?? model.TaskAttribute,
                        model.Spec.Name,
                        reference,
                        problem[0],
                        problem[1]));
                    continue;
                }

                (pairs ??= new List<(int Sub, int Super)>()).Add((task, super));
            }

            if (pairs is null)
            {
                return;
            }

            Edge[][] declared = edges.Select(list => list.ToArray()).ToArray();
            foreach ((int sub, int super) in pairs)
            {
                string subLabel = " (dependency of sub sequence '" + models[sub].Spec.Name + "')";
                foreach (Edge edge in declared[sub])
                {
                    edges[super].Add(new Edge(edge.To, edge.Location, edge.Label + subLabel));
                }

                string superLabel = " (dependency of super sequence '" + models[super].Spec.Name + "')";
                foreach (Edge edge in declared[super])
                {
                    edges[sub].Add(new Edge(edge.To, edge.Location, edge.Label + superLabel));
                }
            }
        }

        /// <summary>
        /// Resolves every <c>[Sequence]</c> and adds its edges: each element runs after the one before it (its entry
        /// does, for an element that is itself a sequence), and the sequence task after its last element. Returns the
        /// resolved elements of each task (null for a task without a sequence), or null when no task has one.
        /// </summary>
        private static int[]?[]? AddSequenceEdges(ReferenceResolver resolver, ImmutableArray<TaskModel> models, List<Edge>[] edges, List<DiagnosticInfo> diagnostics)
        {
            int[]?[]? sequences = null;
            ReferenceLocation?[]?[]? locations = null;
            for (int task = 0; task < models.Length; task++)
            {
                TaskModel model = models[task];
                EquatableArray<string> references = model.Spec.RunControl.Sequence;
                if (references.IsEmpty)
                {
                    continue;
                }

                sequences ??= new int[]?[models.Length];
                locations ??= new ReferenceLocation?[]?[models.Length];
                var elements = new List<int>(references.Count);
                var elementLocations = new List<ReferenceLocation?>(references.Count);
                for (int k = 0; k < references.Count; k++)
                {
                    ReferenceLocation? location = k < model.SequenceLocations.Count ? model.SequenceLocations[k] : null;
                    int element = Resolve(resolver, models, task, references[k], "lists in its [Sequence]", RemoveFromSequence, location, diagnostics);
                    if (element < 0)
                    {
                        continue;
                    }

                    if (element == task)
                    {
                        // The sequence would run after itself.
                        edges[task].Add(new Edge(task, location?.Best ?? model.TaskAttribute, " (in its own sequence)"));
                        continue;
                    }

                    if (elements.Contains(element))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.DuplicateSequenceElement,
                            location?.Best ?? model.TaskAttribute,
                            model.Spec.Name,
                            models[element].Spec.Name,
                            references[k]));
                        continue;
                    }

                    elements.Add(element);
                    elementLocations.Add(location);
                }

                sequences[task] = elements.ToArray();
                locations[task] = elementLocations.ToArray();
            }

            if (sequences is null || locations is null)
            {
                return null;
            }

            for (int task = 0; task < models.Length; task++)
            {
                int[]? elements = sequences[task];
                ReferenceLocation?[]? elementLocations = locations[task];
                if (elements is null || elementLocations is null || elements.Length == 0)
                {
                    continue;
                }

                TaskModel model = models[task];
                string name = model.Spec.Name;
                for (int k = 1; k < elements.Length; k++)
                {
                    string label = " (before '" + models[elements[k]].Spec.Name + "' in sequence '" + name + "')";
                    edges[Entry(elements[k], sequences)].Add(new Edge(elements[k - 1], elementLocations[k]?.Best ?? model.TaskAttribute, label));
                }

                int last = elements.Length - 1;
                edges[task].Add(new Edge(elements[last], elementLocations[last]?.Best ?? model.TaskAttribute, " (last in sequence '" + name + "')"));
            }

            return sequences;
        }

        /// <summary>
        /// The task that takes a task's dependencies: the task itself, or for a sequence task the entry of its first
        /// element. When first elements loop back (a sequence nested in itself, reported as a cycle), the task itself.
        /// </summary>
        private static int Entry(int task, int[]?[] sequences)
        {
            int current = task;
            for (int steps = 0; steps <= sequences.Length; steps++)
            {
                int[]? elements = sequences[current];
                if (elements is null || elements.Length == 0)
                {
                    return current;
                }

                current = elements[0];
            }

            return task;
        }

        private static void AddReference(
            ReferenceResolver resolver,
            ImmutableArray<TaskModel> models,
            int task,
            string reference,
            string verb,
            ReferenceLocation? location,
            List<Edge> edges,
            List<DiagnosticInfo> diagnostics)
        {
            int to = Resolve(resolver, models, task, reference, verb, RemoveDependency, location, diagnostics);
            if (to >= 0)
            {
                edges.Add(new Edge(to, location?.Attribute ?? models[task].TaskAttribute, string.Empty));
            }
        }

        /// <summary>
        /// The task a reference names, or -1 after reporting it unknown (ORCH0002) or ambiguous (ORCH0007); a
        /// reference to a [Forever] task, which never finishes, is reported too (ORCH0021) unless <paramref name="foreverFix"/>
        /// is null (a [DependsOn], which waits for a forever task to start only).
        /// </summary>
        private static int Resolve(
            ReferenceResolver resolver,
            ImmutableArray<TaskModel> models,
            int task,
            string reference,
            string verb,
            string? foreverFix,
            ReferenceLocation? location,
            List<DiagnosticInfo> diagnostics)
        {
            TaskModel model = models[task];
            Resolution resolution = resolver.Resolve(task, reference);
            switch (resolution.Kind)
            {
                case ResolutionKind.Resolved:
                    TaskSpec target = models[resolution.Task].Spec;
                    if (foreverFix is not null && target.RunControl.IsForever && resolution.Task != task)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.WaitsForForever,
                            location?.Best ?? model.TaskAttribute,
                            model.Spec.Name,
                            verb,
                            target.Name,
                            foreverFix));
                    }

                    return resolution.Task;
                case ResolutionKind.Unknown:
                    string advice = resolution.Suggestion is null
                        ? "Declare it with [Task] or fix the name."
                        : "Did you mean '" + resolution.Suggestion + "'?";
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UnknownReference,
                        location?.Best ?? model.TaskAttribute,
                        model.Spec.Name,
                        verb,
                        reference,
                        advice));
                    return -1;
                default:
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.AmbiguousReference,
                        location?.Best ?? model.TaskAttribute,
                        resolution.Candidates.Select(c => models[c].TaskAttribute).OfType<LocationInfo>().ToEquatableArray(),
                        model.Spec.Name,
                        verb,
                        reference,
                        resolver.Describe(resolution.Candidates)));
                    return -1;
            }
        }

        private static void CheckCycles(ImmutableArray<TaskModel> models, List<Edge>[] edges, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            int[] component = StronglyConnectedComponents(edges, out int componentCount);
            var componentSize = new int[componentCount];
            foreach (int c in component)
            {
                componentSize[c]++;
            }

            for (int task = 0; task < edges.Length; task++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int c = component[task];
                bool cyclic = componentSize[c] > 1 || edges[task].Any(e => e.To == task);
                if (!cyclic)
                {
                    continue;
                }

                List<Edge>? path = ShortestCycle(task, edges, component);
                if (path is null || path.Count == 0)
                {
                    continue;
                }

                string text = models[task].Spec.Name + string.Concat(path.Select(e => " -> " + models[e.To].Spec.Name + e.Label));
                EquatableArray<LocationInfo> additional = path.Skip(1).Select(e => e.Location).OfType<LocationInfo>().ToEquatableArray();
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.Cycle,
                    path[0].Location ?? models[task].TaskAttribute,
                    additional,
                    models[task].Spec.Name,
                    text));
            }
        }

        /// <summary>The edges of a shortest cycle from <paramref name="start"/> back to itself, within its component.</summary>
        private static List<Edge>? ShortestCycle(int start, List<Edge>[] edges, int[] component)
        {
            foreach (Edge edge in edges[start])
            {
                if (edge.To == start)
                {
                    return new List<Edge> { edge };
                }
            }

            // Breadth-first search; parent[n] is the edge used to reach n, parentNode[n] where it came from.
            var parent = new Dictionary<int, (int From, Edge Edge)>();
            var queue = new Queue<int>();
            foreach (Edge edge in edges[start])
            {
                if (component[edge.To] == component[start] && !parent.ContainsKey(edge.To))
                {
                    parent.Add(edge.To, (start, edge));
                    queue.Enqueue(edge.To);
                }
            }

            while (queue.Count > 0)
            {
                int node = queue.Dequeue();
                foreach (Edge edge in edges[node])
                {
                    if (edge.To == start)
                    {
                        var path = new List<Edge> { edge };
                        for (int current = node; current != start; current = parent[current].From)
                        {
                            path.Add(parent[current].Edge);
                        }

                        path.Reverse();
                        return path;
                    }

                    if (component[edge.To] == component[start] && edge.To != start && !parent.ContainsKey(edge.To))
                    {
                        parent.Add(edge.To, (node, edge));
                        queue.Enqueue(edge.To);
                    }
                }
            }

            return null;
        }

        /// <summary>Tarjan's algorithm, iterative. Returns the component of each node.</summary>
        private static int[] StronglyConnectedComponents(List<Edge>[] edges, out int componentCount)
        {
            int count = edges.Length;
            var index = new int[count];
            var lowLink = new int[count];
            var onStack = new bool[count];
            var component = new int[count];
            for (int i = 0; i < count; i++)
            {
                index[i] = -1;
                component[i] = -1;
            }

            var stack = new Stack<int>();
            var work = new Stack<(int Node, int NextEdge)>();
            int nextIndex = 0;
            componentCount = 0;

            for (int root = 0; root < count; root++)
            {
                if (index[root] >= 0)
                {
                    continue;
                }

                work.Push((root, 0));
                while (work.Count > 0)
                {
                    (int node, int nextEdge) = work.Pop();
                    if (nextEdge == 0)
                    {
                        index[node] = nextIndex;
                        lowLink[node] = nextIndex;
                        nextIndex++;
                        stack.Push(node);
                        onStack[node] = true;
                    }
                    else
                    {
                        int child = edges[node][nextEdge - 1].To;
                        lowLink[node] = Math.Min(lowLink[node], lowLink[child]);
                    }

                    bool descended = false;
                    for (int e = nextEdge; e < edges[node].Count; e++)
                    {
                        int to = edges[node][e].To;
                        if (index[to] < 0)
                        {
                            work.Push((node, e + 1));
                            work.Push((to, 0));
                            descended = true;
                            break;
                        }

                        if (onStack[to])
                        {
                            lowLink[node] = Math.Min(lowLink[node], index[to]);
                        }
                    }

                    if (descended)
                    {
                        continue;
                    }

                    if (lowLink[node] == index[node])
                    {
                        int member;
                        do
                        {
                            member = stack.Pop();
                            onStack[member] = false;
                            component[member] = componentCount;
                        }
                        while (member != node);
                        componentCount++;
                    }
                }
            }

            return component;
        }
    }
}
