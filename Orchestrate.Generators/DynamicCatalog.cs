using System.Collections.Generic;
using System.Collections.Immutable;

namespace Orchestrate.Generators
{
    /// <summary>The part of the catalog about graphs that grow while running: sub-tasks, target regex, calculated deps.</summary>
    internal static class DynamicCatalog
    {
        /// <summary>
        /// Sets <see cref="CatalogEntry.Dynamic"/> on the entries, given before they are sorted: one entry per spec that
        /// can be emitted, in the order of the specs. <c>[CalcDep]</c> references are resolved to task names; unknown and
        /// ambiguous ones are reported by the graph checks and left out here.
        /// </summary>
        public static void Resolve(ImmutableArray<TaskSpec> specs, ReferenceResolver resolver, List<CatalogEntry> entries)
        {
            int entry = 0;
            for (int i = 0; i < specs.Length && entry < entries.Count; i++)
            {
                TaskSpec spec = specs[i];
                if (!spec.CanEmit)
                {
                    continue;
                }

                DynamicSpec dynamic = spec.Dynamic;
                if (dynamic.YieldsSubTasks || dynamic.TargetRegex is not null || !dynamic.CalcDeps.IsEmpty)
                {
                    var calcDeps = new List<string>(dynamic.CalcDeps.Count);
                    foreach (string reference in dynamic.CalcDeps)
                    {
                        Resolution resolution = resolver.Resolve(i, reference);
                        if (resolution.Kind == ResolutionKind.Resolved && !calcDeps.Contains(specs[resolution.Task].Name))
                        {
                            calcDeps.Add(specs[resolution.Task].Name);
                        }
                    }

                    entries[entry] = entries[entry] with
                    {
                        Dynamic = new DynamicEntry(dynamic.YieldsSubTasks, dynamic.TargetRegex, calcDeps.ToEquatableArray()),
                    };
                }

                entry++;
            }
        }
    }
}
