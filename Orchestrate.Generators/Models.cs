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

        /// <summary><c>context</c>: the <c>UpToDateContext</c> of an <c>[UpToDateIf]</c> predicate.</summary>
        UpToDateContext,
    }

    /// <summary>The kinds of up-to-date rules, one per attribute.</summary>
    internal enum UpToDateRuleKind
    {
        /// <summary><c>[RunOnce]</c>.</summary>
        RunOnce,

        /// <summary><c>[ConfigChanged]</c>: <see cref="RuleSpec.Argument"/> is the method as written, <see cref="RuleSpec.Method"/> the method.</summary>
        ConfigChanged,

        /// <summary><c>[ResultDep]</c>: <see cref="RuleSpec.Argument"/> is the task reference (resolved after Collect).</summary>
        ResultDep,

        /// <summary><c>[ExpiresAfter]</c>: <see cref="RuleSpec.Seconds"/> is the total.</summary>
        ExpiresAfter,

        /// <summary><c>[TimestampUnchanged]</c>: <see cref="RuleSpec.Argument"/> is the path, <see cref="RuleSpec.Detail"/> the kind expression.</summary>
        TimestampUnchanged,

        /// <summary><c>[UpToDateIf]</c>: <see cref="RuleSpec.Argument"/> is the method as written, <see cref="RuleSpec.Method"/> the predicate.</summary>
        Custom,
    }

    /// <summary>A method that generated code calls besides the task itself (a rule's or the clean method), as plain values.</summary>
    internal sealed record MethodRef(
        string TypeFullName,
        string MethodName,
        bool IsStatic,
        ReturnKind ReturnKind,
        EquatableArray<ParameterSpec> Parameters);

    /// <summary>One up-to-date rule of a task, in declaration order.</summary>
    internal sealed record RuleSpec(UpToDateRuleKind Kind, string Argument, string? Detail, long Seconds, MethodRef? Method);

    /// <summary>One <c>[RemoteStep]</c> of a host task, as written (a zero timeout means no limit).</summary>
    internal sealed record RemoteStepModel(
        string Command,
        string? User,
        bool Sudo,
        int TimeoutSeconds,
        bool HasAllowedExitCodes,
        EquatableArray<int> AllowedExitCodes,
        string? WorkingDirectory);

    /// <summary>One <c>[Ship]</c> (local path, remote directory) or <c>[Fetch]</c> (remote path, local directory).</summary>
    internal sealed record TransferModel(string Source, string Destination);

    /// <summary>What makes a task a host task: <c>[Hosts]</c>, <c>[Barrier]</c> and what runs on each host.</summary>
    internal sealed record RemoteSpec(
        string? Hosts,
        bool IsBarrier,
        EquatableArray<RemoteStepModel> Steps,
        EquatableArray<TransferModel> Ships,
        EquatableArray<TransferModel> Fetches,
        EquatableArray<string> Targets)
    {
        /// <summary>A local task: nothing remote.</summary>
        public static readonly RemoteSpec None = new RemoteSpec(
            null,
            false,
            EquatableArray<RemoteStepModel>.Empty,
            EquatableArray<TransferModel>.Empty,
            EquatableArray<TransferModel>.Empty,
            EquatableArray<string>.Empty);
    }

    /// <summary>One <c>[Resource]</c> of a task: a scarce resource and how many tasks naming it may run at once.</summary>
    internal sealed record ResourceModel(string Name, int Limit);

    /// <summary>
    /// The run-control attributes of a task: <c>[Critical]</c>, <c>[Forever]</c>, <c>[Timeout]</c>, <c>[Resource]</c>
    /// and <c>[Sequence]</c>. In a <see cref="TaskSpec"/> the sequence holds the references as written; in a
    /// <see cref="CatalogEntry"/>, the task names they resolve to.
    /// </summary>
    internal sealed record RunControlSpec(
        bool? Critical,
        bool IsForever,
        double? TimeoutSeconds,
        EquatableArray<ResourceModel> Resources,
        EquatableArray<string> Sequence)
    {
        /// <summary>A task with none of the attributes.</summary>
        public static readonly RunControlSpec None = new RunControlSpec(
            null,
            false,
            null,
            EquatableArray<ResourceModel>.Empty,
            EquatableArray<string>.Empty);
    }

    /// <summary>A <c>[ForEach]</c> method: a static method of a task's class that gives a sub sequence's items, with or without the host.</summary>
    internal sealed record ForEachRef(string TypeFullName, string MethodName, bool TakesHost);

    /// <summary>
    /// What makes a host task a remote task sequence (RemoteOrchestratePy): its local steps pre and post
    /// (<c>[LocalPre]</c>, <c>[LocalPost]</c>), and for a sub sequence its super sequence (<c>[SubSequenceOf]</c>, the
    /// reference as written) and its items (<c>[ForEach]</c>).
    /// </summary>
    internal sealed record RemoteSequenceSpec(MethodRef? LocalPre, MethodRef? LocalPost, string? SubSequenceOf, ForEachRef? ForEach)
    {
        /// <summary>A task with none of the attributes.</summary>
        public static readonly RemoteSequenceSpec None = new RemoteSequenceSpec(null, null, null, null);
    }

    /// <summary>The remote sequence members of the emitted catalog: the local steps as calls, the super sequence resolved to its name, the items as a lambda.</summary>
    internal sealed record RemoteSequenceEntry(
        ReturnKind LocalPreReturnKind,
        string? LocalPreCall,
        ReturnKind LocalPostReturnKind,
        string? LocalPostCall,
        string? SubSequenceOf,
        string? ForEach)
    {
        /// <summary>A task with none of the attributes.</summary>
        public static readonly RemoteSequenceEntry None = new RemoteSequenceEntry(ReturnKind.Void, null, ReturnKind.Void, null, null, null);
    }

    /// <summary>A supported parameter: its kind and fully qualified type.</summary>
    internal sealed record ParameterSpec(ParameterKind Kind, string Type);

    /// <summary>
    /// Everything about one task method that the catalog needs, free of locations so that moving code
    /// around does not invalidate the emitted catalog.
    /// </summary>
    internal sealed partial record TaskSpec(
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
        EquatableArray<RuleSpec> UpToDate,
        MethodRef? Clean,
        RemoteSpec Remote,
        RunControlSpec RunControl,
        RemoteSequenceSpec RemoteSequence,
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
    internal sealed partial record TaskModel(
        TaskSpec Spec,
        LocationInfo? TaskAttribute,
        EquatableArray<ReferenceLocation> DependsOnLocations,
        ReferenceLocation? CreateAfterLocation,
        EquatableArray<ReferenceLocation> FileDepLocations,
        EquatableArray<ReferenceLocation> TargetLocations,
        EquatableArray<ReferenceLocation> ResultDepLocations,
        EquatableArray<ReferenceLocation> SequenceLocations,
        ReferenceLocation? SubSequenceOfLocation,
        EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>One up-to-date rule of the emitted catalog: a result dep resolved to a task name, a method as its call.</summary>
    internal sealed record RuleEntry(UpToDateRuleKind Kind, string Argument, string? Detail, long Seconds, ReturnKind ReturnKind, string? Call);

    /// <summary>One descriptor of the emitted catalog, with references resolved to task names.</summary>
    internal sealed partial record CatalogEntry(
        string Name,
        string Method,
        string? Doc,
        EquatableArray<string> DependsOn,
        EquatableArray<string> FileDeps,
        EquatableArray<string> Targets,
        string? CreateAfter,
        bool IsDefault,
        string? ServiceType,
        bool TakesServices,
        ReturnKind ReturnKind,
        string Call,
        EquatableArray<RuleEntry> UpToDate,
        ReturnKind CleanReturnKind,
        string? CleanCall,
        RemoteSpec Remote,
        RunControlSpec RunControl,
        RemoteSequenceEntry RemoteSequence);

    /// <summary>The emitted catalog.</summary>
    internal sealed record CatalogModel(EquatableArray<CatalogEntry> Entries);
}
