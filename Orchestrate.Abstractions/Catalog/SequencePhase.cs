namespace Orchestrate;

/// <summary>The phases of a host task's sequence on one host, in the order they run (RemoteOrchestratePy's five
/// phases), plus the node that joins them.</summary>
public enum SequencePhase
{
    /// <summary>Not a phase node: a local task, a host task run as one node, or a group node.</summary>
    None,

    /// <summary>Local step pre (<c>::local_pre</c>): on this machine, for the host.</summary>
    LocalPre,

    /// <summary>Ship files (<c>::ship_file:path</c>): one node per <see cref="ShipAttribute"/>.</summary>
    ShipFiles,

    /// <summary>Remote steps (<c>::remote_steps</c>): the <see cref="RemoteStepAttribute"/> commands, then the method's body.</summary>
    RemoteSteps,

    /// <summary>Fetch files (<c>::fetch_file:name</c>): one node per <see cref="FetchAttribute"/>.</summary>
    FetchFiles,

    /// <summary>Local step post (<c>::local_post</c>): on this machine, for the host.</summary>
    LocalPost,

    /// <summary>The node that waits for every phase (and sub sequence) of the task on one host: <c>task:host</c>.</summary>
    HostJoin,
}
