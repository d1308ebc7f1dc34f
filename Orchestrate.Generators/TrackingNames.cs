namespace Orchestrate.Generators
{
    /// <summary>Names of the tracked incremental steps of <see cref="TaskGenerator"/> (used by tests).</summary>
    public static class TrackingNames
    {
        /// <summary>One <c>TaskModel</c> per <c>[Task]</c> method, with locations and per-method diagnostics.</summary>
        public const string TaskModels = nameof(TaskModels);

        /// <summary>The location-free <c>TaskSpec</c> of each task.</summary>
        public const string TaskSpecs = nameof(TaskSpecs);

        /// <summary>The resolved catalog emitted as source.</summary>
        public const string Catalog = nameof(Catalog);

        /// <summary>Every diagnostic of the task graph.</summary>
        public const string Diagnostics = nameof(Diagnostics);
    }
}
