namespace Orchestrate;

/// <summary>
/// A host task's local step pre (RemoteOrchestratePy's first phase): the named method runs on this machine for each
/// host, before anything is shipped to it (to render a host's configuration file, say). It takes a
/// <see cref="RemoteContext"/> for the host it prepares; the task's <see cref="FileDepAttribute"/> and
/// <see cref="TargetsAttribute"/> paths are this phase's, so it is skipped when they are up to date.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LocalPreAttribute : Attribute
{
    /// <summary>Names the method (use <c>nameof</c>).</summary>
    public LocalPreAttribute(string method) => Method = method;

    /// <summary>The method.</summary>
    public string Method { get; }
}

/// <summary>
/// A host task's local step post (RemoteOrchestratePy's last phase): the named method runs on this machine for each
/// host, after that host's files were fetched (to summarise its logs, say). The fetched files are its file deps.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LocalPostAttribute : Attribute
{
    /// <summary>Names the method (use <c>nameof</c>).</summary>
    public LocalPostAttribute(string method) => Method = method;

    /// <summary>The method.</summary>
    public string Method { get; }
}

/// <summary>
/// Makes this host task a sub sequence of another (RemoteOrchestratePy's sub task sequence): for each host of the
/// super sequence, and for each item <see cref="ForEachAttribute"/> gives on that host, this task's phases run after the
/// super sequence on that host, as nodes named <c>super:host::task:item::phase</c>. <c>{item}</c> in its paths and
/// commands is the item (<see cref="RemoteContext.Item"/> in code). The super task's own name waits for the super
/// and every sub sequence, on every host.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SubSequenceOfAttribute : Attribute
{
    /// <summary>Names the super sequence's task (use <c>nameof</c>).</summary>
    public SubSequenceOfAttribute(string task) => Task = task;

    /// <summary>The super sequence's task.</summary>
    public string Task { get; }
}

/// <summary>
/// The items of a sub sequence (<see cref="SubSequenceOfAttribute"/>): the named static method returns them, given the
/// host (<c>IEnumerable&lt;string&gt; Sites(HostInfo host)</c>, or with no parameter when every host has the same).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ForEachAttribute : Attribute
{
    /// <summary>Names the method (use <c>nameof</c>).</summary>
    public ForEachAttribute(string method) => Method = method;

    /// <summary>The method.</summary>
    public string Method { get; }
}

/// <summary>A host as code that plans work per host sees it (<see cref="ForEachAttribute"/> methods).</summary>
/// <param name="Name">The host's name in the inventory.</param>
/// <param name="Address">The address connected to.</param>
/// <param name="Vars">The host's variables from the inventory.</param>
public sealed record HostInfo(string Name, string Address, IReadOnlyDictionary<string, string> Vars);
