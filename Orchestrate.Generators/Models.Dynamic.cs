using System;

namespace Orchestrate.Generators
{
    /// <summary>
    /// What makes a task part of a graph that grows while running: it yields sub-tasks, declares a target regex for
    /// them (with <c>[CreateAfter]</c>), has its deps computed by other tasks (<c>[CalcDep]</c>, the references as
    /// written), or computes such deps itself (it returns <c>CalculatedDeps</c>).
    /// </summary>
    internal sealed record DynamicSpec(
        bool YieldsSubTasks,
        string? TargetRegex,
        EquatableArray<string> CalcDeps,
        bool ReturnsCalculatedDeps,
        string ReturnType)
    {
        /// <summary>A task with none of these: the default of <see cref="TaskSpec.Dynamic"/>.</summary>
        public static readonly DynamicSpec None = new DynamicSpec(false, null, EquatableArray<string>.Empty, false, string.Empty);
    }

    /// <summary>The <c>[CalcDep]</c> of a task, resolved to task names, and what the descriptor says of sub-tasks.</summary>
    internal sealed record DynamicEntry(bool YieldsSubTasks, string? TargetRegex, EquatableArray<string> CalcDeps)
    {
        /// <summary>A task with none of these: nothing is emitted.</summary>
        public static readonly DynamicEntry None = new DynamicEntry(false, null, EquatableArray<string>.Empty);
    }

    /// <content>The part of a task's spec about graphs that grow while running.</content>
    internal sealed partial record TaskSpec
    {
        /// <summary>Sub-tasks, target regex and calculated deps; <see cref="DynamicSpec.None"/> for most tasks.</summary>
        public DynamicSpec Dynamic { get; init; } = DynamicSpec.None;
    }

    /// <content>Where the <c>[CalcDep]</c> references of a task are written.</content>
    internal sealed partial record TaskModel
    {
        /// <summary>One location per reference of <see cref="DynamicSpec.CalcDeps"/>.</summary>
        public EquatableArray<ReferenceLocation> CalcDepLocations { get; init; } = EquatableArray<ReferenceLocation>.Empty;

        /// <summary>The model with every <c>[CalcDep]</c> location passed through <paramref name="map"/>.</summary>
        public TaskModel WithDynamicLocationsOf(TaskModel source, Func<ReferenceLocation, ReferenceLocation> map)
        {
            if (source.CalcDepLocations.IsEmpty)
            {
                return this;
            }

            var mapped = new ReferenceLocation[source.CalcDepLocations.Count];
            for (int i = 0; i < mapped.Length; i++)
            {
                mapped[i] = map(source.CalcDepLocations[i]);
            }

            return this with { CalcDepLocations = new EquatableArray<ReferenceLocation>(mapped) };
        }
    }

    /// <content>The part of a descriptor about graphs that grow while running.</content>
    internal sealed partial record CatalogEntry
    {
        /// <summary>Sub-tasks, target regex and calculated deps; <see cref="DynamicEntry.None"/> for most tasks.</summary>
        public DynamicEntry Dynamic { get; init; } = DynamicEntry.None;
    }
}
