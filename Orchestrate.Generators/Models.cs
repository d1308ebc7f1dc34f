namespace Orchestrate.Generators
{
    /// <summary>How the generated invoker calls and awaits a task method.</summary>
    internal enum ReturnKind
    {
        /// <summary><c>void</c>.</summary>
        Void,

        /// <summary><c>Task</c> or <c>ValueTask</c>.</summary>
        Awaitable,

        /// <summary><c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>.</summary>
        AwaitableOfT,

        /// <summary>Any other type: the value is boxed.</summary>
        Value,
    }

    /// <summary>What the generated invoker passes for a parameter.</summary>
    internal enum ParameterKind
    {
        /// <summary><c>invocation.Context</c>.</summary>
        Context,

        /// <summary><c>(T)invocation.Context</c>, for a subclass of TaskContext.</summary>
        ContextSubclass,

        /// <summary><c>invocation.CancellationToken</c>.</summary>
        CancellationToken,

        /// <summary><c>invocation.GetService&lt;T&gt;()</c>.</summary>
        Service,
    }

    /// <summary>A supported parameter: its kind and fully qualified type.</summary>
    internal sealed record ParameterSpec(ParameterKind Kind, string Type);

    /// <summary>
    /// Everything about one task method that the catalog needs, free of locations so that moving code
    /// around does not invalidate the emitted catalog.
    /// </summary>
    internal sealed record TaskSpec(
        string Name,
        string MethodName,
        string TypeName,
        string TypeDisplayName,
        string TypeFullName,
        string? Doc,
        bool IsDefault,
        bool IsStatic,
        ReturnKind ReturnKind,
        EquatableArray<ParameterSpec> Parameters,
        EquatableArray<string> DependsOn,
        string? CreateAfter,
        EquatableArray<string> FileDeps,
        EquatableArray<string> Targets,
        bool CanEmit)
    {
        /// <summary><c>Type.Method</c> as shown in messages and in the descriptor.</summary>
        public string MethodDisplay => TypeDisplayName + "." + MethodName;
    }

    /// <summary>Where a reference is written: its attribute and, when known, its argument.</summary>
    internal sealed record ReferenceLocation(LocationInfo? Attribute, LocationInfo? Argument)
    {
        public LocationInfo? Best => Argument ?? Attribute;
    }

    /// <summary>
    /// One <c>[Task]</c> method: its <see cref="TaskSpec"/>, the locations of everything the graph
    /// checks may report on, and the diagnostics that concern the method alone.
    /// </summary>
    internal sealed record TaskModel(
        TaskSpec Spec,
        LocationInfo? TaskAttribute,
        EquatableArray<ReferenceLocation> DependsOnLocations,
        ReferenceLocation? CreateAfterLocation,
        EquatableArray<ReferenceLocation> FileDepLocations,
        EquatableArray<ReferenceLocation> TargetLocations,
        EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>One descriptor of the emitted catalog, with references resolved to task names.</summary>
    internal sealed record CatalogEntry(
        string Name,
        string Method,
        string? Doc,
        EquatableArray<string> DependsOn,
        EquatableArray<string> FileDeps,
        EquatableArray<string> Targets,
        string? CreateAfter,
        bool IsDefault,
        string? ServiceType,
        ReturnKind ReturnKind,
        string Call);

    /// <summary>The emitted catalog.</summary>
    internal sealed record CatalogModel(EquatableArray<CatalogEntry> Entries);
}
