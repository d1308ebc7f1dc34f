using System.Collections.Generic;
using System.Collections.Immutable;

namespace Orchestrate.Generators
{
    /// <content>The graph checks of <c>[CalcDep]</c>.</content>
    internal static partial class GraphAnalyzer
    {
        private const string ComputesDeps = " (computes its deps)";

        /// <summary>
        /// Resolves every <c>[CalcDep]</c> (unknown: ORCH0002, ambiguous: ORCH0007, a forever task: ORCH0021), checks
        /// that the named task returns <c>CalculatedDeps</c> (ORCH0041), and adds the edge: the task runs after it.
        /// </summary>
        private static void AddCalcDepEdges(ImmutableArray<TaskModel> models, TaskSpec[] specs, List<Edge>[] edges, List<DiagnosticInfo> diagnostics)
        {
            ReferenceResolver? resolver = null;
            for (int task = 0; task < models.Length; task++)
            {
                TaskModel model = models[task];
                EquatableArray<string> calcDeps = model.Spec.Dynamic.CalcDeps;
                for (int k = 0; k < calcDeps.Count; k++)
                {
                    resolver ??= new ReferenceResolver(specs);
                    ReferenceLocation? location = k < model.CalcDepLocations.Count ? model.CalcDepLocations[k] : null;
                    int to = Resolve(resolver, models, task, calcDeps[k], "has its deps computed by", RemoveDependency, location, diagnostics);
                    if (to < 0)
                    {
                        continue;
                    }

                    TaskSpec calculator = specs[to];
                    if (to != task && !calculator.Dynamic.ReturnsCalculatedDeps)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.CalcDepWithoutCalculatedDeps,
                            location?.Best ?? model.TaskAttribute,
                            model.Spec.Name,
                            calculator.Name,
                            calculator.MethodDisplay,
                            calculator.Dynamic.ReturnType));
                    }

                    edges[task].Add(new Edge(to, location?.Attribute ?? model.TaskAttribute, ComputesDeps));
                }
            }
        }
    }
}
