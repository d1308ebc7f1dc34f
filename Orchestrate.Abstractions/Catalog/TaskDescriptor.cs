using System.ComponentModel;

namespace Orchestrate;

/// <summary>Calls a task's method. Emitted by the generator as a direct call (no reflection).</summary>
public delegate ValueTask<object?> TaskInvoker(TaskInvocation invocation);

/// <summary>
/// One task of the graph, as declared. The source generator emits one per <see cref="TaskAttribute"/>
/// method, with references already resolved to task names; the runtime builds the graph from these.
/// </summary>
public sealed class TaskDescriptor
{
    /// <summary>The task's name on the command line.</summary>
    public required string Name { get; init; }

    /// <summary>The method behind the task, as <c>Type.Method</c>.</summary>
    public string Method { get; init; } = "";

    /// <summary>One line of documentation, shown by <c>list</c>.</summary>
    public string? Doc { get; init; }

    /// <summary>Names of the tasks this task runs after (explicit <see cref="DependsOnAttribute"/>).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>File deps, as declared.</summary>
    public IReadOnlyList<string> FileDeps { get; init; } = [];

    /// <summary>Targets, as declared.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>The task named by <see cref="CreateAfterAttribute"/>, if any.</summary>
    public string? CreateAfter
    {
        get => _extra?.CreateAfter;
        init => ExtraIf(value is not null)?.CreateAfter = value;
    }

    /// <summary>With <see cref="CreateAfter"/>: a regular expression of the targets the task's sub-tasks will make, so that
    /// they can be named on the command line before the sub-tasks exist (doit's <c>target_regex</c>).</summary>
    public string? CreateAfterTargetRegex
    {
        get => _extra?.CreateAfterTargetRegex;
        init => ExtraIf(value is not null)?.CreateAfterTargetRegex = value;
    }

    /// <summary>The method returns sub-tasks (<see cref="SubTask"/>): the task is a group of them. Its invoker's result is
    /// the <c>IEnumerable&lt;SubTask&gt;</c> or the <c>IAsyncEnumerable&lt;SubTask&gt;</c>.</summary>
    public bool YieldsSubTasks
    {
        get => _extra?.YieldsSubTasks ?? false;
        init => ExtraIf(value)?.YieldsSubTasks = value;
    }

    /// <summary>Tasks that compute more dependencies of this one at run time (<see cref="CalcDepAttribute"/>).</summary>
    public IReadOnlyList<string> CalcDeps
    {
        get => _extra?.CalcDeps ?? [];
        init => ExtraIf(value.Count > 0)?.CalcDeps = value;
    }

    /// <summary>Up-to-date rules besides file deps and targets (doit's <c>uptodate</c>).</summary>
    public IReadOnlyList<UpToDateRule> UpToDate { get; init; } = [];

    /// <summary>What <c>clean</c> runs instead of deleting the targets; null: delete the targets.</summary>
    public TaskInvoker? Clean
    {
        get => _extra?.Clean;
        init => ExtraIf(value is not null)?.Clean = value;
    }

    /// <summary>The host pattern of a host task (<see cref="HostsAttribute"/>); null for a local task.</summary>
    public string? Hosts { get; init; }

    /// <summary>A host task that waits for its host-task dependencies on every host.</summary>
    public bool IsBarrier
    {
        get => _extra?.IsBarrier ?? false;
        init => ExtraIf(value)?.IsBarrier = value;
    }

    /// <summary>Remote steps, in order.</summary>
    public IReadOnlyList<RemoteStepSpec> RemoteSteps
    {
        get => _extra?.RemoteSteps ?? [];
        init => ExtraIf(value.Count > 0)?.RemoteSteps = value;
    }

    /// <summary>Files shipped to each host.</summary>
    public IReadOnlyList<ShipSpec> Ships
    {
        get => _extra?.Ships ?? [];
        init => ExtraIf(value.Count > 0)?.Ships = value;
    }

    /// <summary>Files fetched from each host.</summary>
    public IReadOnlyList<FetchSpec> Fetches
    {
        get => _extra?.Fetches ?? [];
        init => ExtraIf(value.Count > 0)?.Fetches = value;
    }

    /// <summary>Paths on each host the task makes.</summary>
    public IReadOnlyList<string> RemoteTargets
    {
        get => _extra?.RemoteTargets ?? [];
        init => ExtraIf(value.Count > 0)?.RemoteTargets = value;
    }

    /// <summary>A host task's local step pre (<see cref="LocalPreAttribute"/>), run on this machine for each host first.</summary>
    public TaskInvoker? LocalPre
    {
        get => _extra?.LocalPre;
        init => ExtraIf(value is not null)?.LocalPre = value;
    }

    /// <summary>A host task's local step post (<see cref="LocalPostAttribute"/>), run on this machine for each host last.</summary>
    public TaskInvoker? LocalPost
    {
        get => _extra?.LocalPost;
        init => ExtraIf(value is not null)?.LocalPost = value;
    }

    /// <summary>The super sequence this host task is a sub sequence of (<see cref="SubSequenceOfAttribute"/>).</summary>
    public string? SubSequenceOf
    {
        get => _extra?.SubSequenceOf;
        init => ExtraIf(value is not null)?.SubSequenceOf = value;
    }

    /// <summary>A sub sequence's items on a host (<see cref="ForEachAttribute"/>); null: one sub sequence per host, without an item.</summary>
    public Func<HostInfo, IEnumerable<string>>? ForEach
    {
        get => _extra?.ForEach;
        init => ExtraIf(value is not null)?.ForEach = value;
    }

    /// <summary>For a node expanded at run time: which phase of a host task's sequence it is.</summary>
    public SequencePhase Phase
    {
        get => _extra?.Phase ?? default;
        init => ExtraIf(value != default)?.Phase = value;
    }

    /// <summary>For a node of a sub sequence: its item.</summary>
    public string? Item
    {
        get => _extra?.Item;
        init => ExtraIf(value is not null)?.Item = value;
    }

    /// <summary>For a node of a host task expanded at run time: the host it runs on.</summary>
    public string? Host { get; init; }

    /// <summary>For a host task expanded at run time: the node of the task's own name, which waits for every host.</summary>
    public bool IsHostGroup
    {
        get => _extra?.IsHostGroup ?? false;
        init => ExtraIf(value)?.IsHostGroup = value;
    }

    /// <summary>Whether a failure aborts the run (<see cref="CriticalAttribute"/>); null: the run's default.</summary>
    public bool? Critical
    {
        get => _extra?.Critical;
        init => ExtraIf(value is not null)?.Critical = value;
    }

    /// <summary>Never ends by itself: not waited for, cancelled once every other task is done (<see cref="ForeverAttribute"/>).</summary>
    public bool IsForever
    {
        get => _extra?.IsForever ?? false;
        init => ExtraIf(value)?.IsForever = value;
    }

    /// <summary>Cancel the task past this time (<see cref="TimeoutAttribute"/>); null: no limit.</summary>
    public TimeSpan? Timeout
    {
        get => _extra?.Timeout;
        init => ExtraIf(value is not null)?.Timeout = value;
    }

    /// <summary>Scarce resources the task uses, each with its limit (<see cref="ResourceAttribute"/>).</summary>
    public IReadOnlyList<ResourceSpec> Resources
    {
        get => _extra?.Resources ?? [];
        init => ExtraIf(value.Count > 0)?.Resources = value;
    }

    /// <summary>For a sequence task (<see cref="SequenceAttribute"/>): its elements, in order. Empty otherwise.</summary>
    public IReadOnlyList<string> Sequence
    {
        get => _extra?.Sequence ?? [];
        init => ExtraIf(value.Count > 0)?.Sequence = value;
    }

    /// <summary>Run when no task is named on the command line.</summary>
    public bool IsDefault { get; init; }

    /// <summary>The class to resolve from dependency injection for an instance method; null for a static one.</summary>
    public Type? ServiceType { get; init; }

    /// <summary>The method takes services from dependency injection (besides its own class, see
    /// <see cref="ServiceType"/>). A task that takes none runs without the run's host being built, so a run
    /// where only such tasks are out of date does not pay for configuration and DI. Hand-built descriptors
    /// whose invoker calls <see cref="TaskInvocation.GetService{T}"/> must set it.</summary>
    public bool TakesServices { get; init; }

    /// <summary>Calls the method.</summary>
    public required TaskInvoker Invoke { get; init; }

    /// <summary>Where the task is declared, as <c>file:line</c>, for messages.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public string? Source { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;

    // What most tasks leave unset lives in an object of its own, made on the first value set: a plain task's
    // descriptor is then a third of the size (a project of 100,000 tasks makes 100,000 of them before it starts).
    private Rare? _extra;

    // The rare part, made when a value other than the default is set (or already made): null when there is nothing to set.
    private Rare? ExtraIf(bool notDefault) => notDefault || _extra is not null ? _extra ??= new Rare() : null;

    private sealed class Rare
    {
        public string? CreateAfter;
        public string? CreateAfterTargetRegex;
        public bool YieldsSubTasks;
        public IReadOnlyList<string> CalcDeps = [];
        public TaskInvoker? Clean;
        public bool IsBarrier;
        public IReadOnlyList<RemoteStepSpec> RemoteSteps = [];
        public IReadOnlyList<ShipSpec> Ships = [];
        public IReadOnlyList<FetchSpec> Fetches = [];
        public IReadOnlyList<string> RemoteTargets = [];
        public TaskInvoker? LocalPre;
        public TaskInvoker? LocalPost;
        public string? SubSequenceOf;
        public Func<HostInfo, IEnumerable<string>>? ForEach;
        public SequencePhase Phase;
        public string? Item;
        public bool IsHostGroup;
        public bool? Critical;
        public bool IsForever;
        public TimeSpan? Timeout;
        public IReadOnlyList<ResourceSpec> Resources = [];
        public IReadOnlyList<string> Sequence = [];
    }
}
