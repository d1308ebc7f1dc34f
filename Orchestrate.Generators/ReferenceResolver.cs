using System;
using System.Collections.Generic;
using System.Linq;

namespace Orchestrate.Generators
{
    internal enum ResolutionKind
    {
        Resolved,
        Unknown,
        Ambiguous,
    }

    /// <summary>What a reference resolved to: one task, nothing (with a suggestion), or several tasks.</summary>
    internal readonly struct Resolution
    {
        private Resolution(ResolutionKind kind, int task, IReadOnlyList<int> candidates, string? suggestion)
        {
            Kind = kind;
            Task = task;
            Candidates = candidates;
            Suggestion = suggestion;
        }

        public ResolutionKind Kind { get; }

        public int Task { get; }

        public IReadOnlyList<int> Candidates { get; }

        public string? Suggestion { get; }

        public static Resolution Resolved(int task) => new Resolution(ResolutionKind.Resolved, task, Array.Empty<int>(), null);

        public static Resolution Unknown(string? suggestion) => new Resolution(ResolutionKind.Unknown, -1, Array.Empty<int>(), suggestion);

        public static Resolution Ambiguous(IReadOnlyList<int> candidates) => new Resolution(ResolutionKind.Ambiguous, -1, candidates, null);
    }

    /// <summary>
    /// Resolves <c>[DependsOn]</c> and <c>[CreateAfter]</c> references, in this order: exact task name;
    /// method name of a task in the same class; method name unique across all tasks; <c>Type.Method</c>.
    /// </summary>
    internal sealed class ReferenceResolver
    {
        private readonly IReadOnlyList<TaskSpec> _tasks;
        private readonly Dictionary<string, int> _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<int>> _byMethod = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<int>> _byQualifiedMethod = new Dictionary<string, List<int>>(StringComparer.Ordinal);

        public ReferenceResolver(IReadOnlyList<TaskSpec> tasks)
        {
            _tasks = tasks;
            for (int i = 0; i < tasks.Count; i++)
            {
                TaskSpec task = tasks[i];
                if (!_byName.ContainsKey(task.Name))
                {
                    _byName.Add(task.Name, i);
                }

                Add(_byMethod, task.MethodName, i);
                Add(_byQualifiedMethod, task.TypeName + "." + task.MethodName, i);
                if (task.TypeDisplayName != task.TypeName)
                {
                    Add(_byQualifiedMethod, task.TypeDisplayName + "." + task.MethodName, i);
                }

                string fullName = StripGlobal(task.TypeFullName);
                if (fullName != task.TypeDisplayName)
                {
                    Add(_byQualifiedMethod, fullName + "." + task.MethodName, i);
                }
            }
        }

        public Resolution Resolve(int from, string reference)
        {
            if (_byName.TryGetValue(reference, out int byName))
            {
                return Resolution.Resolved(byName);
            }

            if (_byMethod.TryGetValue(reference, out List<int>? byMethod))
            {
                string fromType = _tasks[from].TypeFullName;
                List<int> sameClass = byMethod.Where(i => _tasks[i].TypeFullName == fromType).ToList();
                if (sameClass.Count == 1)
                {
                    return Resolution.Resolved(sameClass[0]);
                }

                if (sameClass.Count > 1)
                {
                    return Resolution.Ambiguous(sameClass);
                }

                return byMethod.Count == 1 ? Resolution.Resolved(byMethod[0]) : Resolution.Ambiguous(byMethod);
            }

            if (_byQualifiedMethod.TryGetValue(reference, out List<int>? qualified))
            {
                return qualified.Count == 1 ? Resolution.Resolved(qualified[0]) : Resolution.Ambiguous(qualified);
            }

            return Resolution.Unknown(Naming.Suggest(reference, Candidates()));
        }

        private IEnumerable<KeyValuePair<string, string>> Candidates()
        {
            foreach (TaskSpec task in _tasks)
            {
                yield return new KeyValuePair<string, string>(task.Name, task.Name);
                yield return new KeyValuePair<string, string>(task.MethodName, task.Name);
                yield return new KeyValuePair<string, string>(task.TypeName + "." + task.MethodName, task.Name);
            }
        }

        /// <summary>The candidates of an ambiguous reference, as shown in messages.</summary>
        public string Describe(IReadOnlyList<int> candidates) =>
            string.Join(", ", candidates.Select(i => "'" + _tasks[i].MethodDisplay + "' (task '" + _tasks[i].Name + "')"));

        private static void Add(Dictionary<string, List<int>> map, string key, int index)
        {
            if (!map.TryGetValue(key, out List<int>? list))
            {
                list = new List<int>();
                map.Add(key, list);
            }

            if (!list.Contains(index))
            {
                list.Add(index);
            }
        }

        private static string StripGlobal(string name) =>
            name.StartsWith("global::", StringComparison.Ordinal) ? name.Substring("global::".Length) : name;
    }
}
