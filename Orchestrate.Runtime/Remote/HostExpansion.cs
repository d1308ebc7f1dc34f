using Orchestrate.Planning;

namespace Orchestrate.Remote;

/// <summary>
/// Turns each host task into nodes per host, plus a node of the task's own name that waits for all hosts. A host
/// task that depends on another host task waits for it on its own host only (per-host pipelining: <c>site:web1</c>
/// needs <c>install:web1</c>, not <c>install:web2</c>), unless it is a barrier. Paths and commands are substituted
/// per host (<c>logs/{host}/</c>).
/// <para>A task with only remote steps (and its method's body) is one node per host, <c>deploy:web1</c>. A task with
/// more phases (RemoteOrchestratePy's local pre, ship files, remote steps, fetch files, local post), or with sub
/// sequences, becomes a chain of phase nodes on each host (<c>deploy:web1::ship_file:nginx.conf</c>, ...,
/// <c>deploy:web1::remote_steps</c>, ...), each with its own up-to-date check, joined by <c>deploy:web1</c>. Sub
/// sequences (<see cref="SubSequenceOfAttribute"/>) run after the super sequence's phases on the same host, one per
/// item (<c>deploy:web1::site:blog::remote_steps</c>), and the host's join waits for them too.</para>
/// </summary>
public static class HostExpansion
{
    /// <summary>Expands the host tasks. <paramref name="hostsOf"/> gives the hosts a task runs on (after --limit).</summary>
    public static ExpandedTasks Expand(IReadOnlyList<TaskDescriptor> tasks, Func<TaskDescriptor, IReadOnlyList<HostSpec>> hostsOf)
    {
        var hostTasks = new Dictionary<string, IReadOnlyList<HostSpec>>(StringComparer.Ordinal);
        var subsOf = new Dictionary<string, List<TaskDescriptor>>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (task.SubSequenceOf is { } super)
            {
                if (!subsOf.TryGetValue(super, out var subs))
                {
                    subsOf[super] = subs = [];
                }

                subs.Add(task);
            }
            else if (task.Hosts is not null)
            {
                if ((task.IsForever || task.Sequence.Count > 0) && (task.LocalPre ?? task.LocalPost) is not null)
                {
                    // As ORCH0028 says at compile time: such a task is one node per host, without local phases.
                    var kind = task.IsForever ? "Forever" : "Sequence";
                    throw new GraphException($"task '{task.Name}' has a local pre or post step, but it is a [{kind}] task, which runs on each host as one node without local phases: move the local work into a task of its own, or remove [{kind}]");
                }

                hostTasks[task.Name] = hostsOf(task);
            }
        }

        foreach (var (super, subs) in subsOf)
        {
            if (!hostTasks.ContainsKey(super))
            {
                throw new GraphException($"task '{subs[0].Name}' is a sub sequence of '{super}', which is not a host task: mark '{super}' with [Hosts], or remove [SubSequenceOf]");
            }
        }

        if (hostTasks.Count == 0)
        {
            return new ExpandedTasks(tasks, new Dictionary<string, HostSpec>());
        }

        var expansion = new Expansion(hostTasks);
        foreach (var task in tasks)
        {
            if (task.SubSequenceOf is not null)
            {
                continue;
            }

            if (!hostTasks.TryGetValue(task.Name, out var hosts))
            {
                expansion.Nodes.Add(task);
                continue;
            }

            var subs = subsOf.TryGetValue(task.Name, out var found) ? found : [];
            var joins = new List<string>(hosts.Count);
            foreach (var host in hosts)
            {
                try
                {
                    joins.Add(expansion.AddHost(task, host, subs));
                }
                catch (UnsafeFetchException e)
                {
                    throw new GraphException($"task '{task.Name}' on host '{host.Name}': {e.Message}");
                }
            }

            // The task's own name stands for all its hosts: what depends on it waits for every host.
            expansion.Nodes.Add(GroupNode(task, joins));
        }

        foreach (var (_, subs) in subsOf)
        {
            foreach (var sub in subs)
            {
                expansion.Nodes.Add(GroupNode(sub, expansion.SubJoins.TryGetValue(sub.Name, out var joins) ? joins : []));
            }
        }

        return new ExpandedTasks(expansion.Nodes, expansion.HostOfNode);
    }

    /// <summary>The name of a host task's node on one host.</summary>
    public static string NodeName(string task, string host) => $"{task}:{host}";

    /// <summary>Where a fetched file lands for one host: in its local folder, under the remote file's name.</summary>
    /// <exception cref="UnsafeFetchException">That name would leave the folder (<c>..</c>, <c>.</c>, empty) or is too long.</exception>
    public static string FetchTarget(FetchSpec fetch, HostSpec host) =>
        FetchTarget(Substitute(fetch.RemotePath, host), Substitute(fetch.LocalDirectory, host));

    /// <summary>Where the remote file <paramref name="remotePath"/> lands when fetched into <paramref name="localDirectory"/>.</summary>
    /// <exception cref="UnsafeFetchException">Its name would leave the folder (<c>..</c>, <c>.</c>, empty) or is too long.</exception>
    public static string FetchTarget(string remotePath, string localDirectory)
    {
        // The remote side's separator is '/' and only '/': a backslash is part of the name, as on any POSIX host.
        var trimmed = remotePath.TrimEnd('/');
        var name = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        if (name is "" or "." or ".." || name.Contains('\0') || (Path.DirectorySeparatorChar == '\\' && name.IndexOfAny(['\\', ':']) >= 0))
        {
            throw new UnsafeFetchException(
                $"cannot fetch {Inventory.Text.Quote(remotePath)} into {Inventory.Text.Quote(localDirectory)}: its name {Inventory.Text.Quote(name)} is not a file name that stays inside that folder; fetch a file by its own path");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(name) > 255)
        {
            throw new UnsafeFetchException(
                $"cannot fetch {Inventory.Text.Quote(remotePath)}: its name is {System.Text.Encoding.UTF8.GetByteCount(name)} bytes long, and a file name here holds at most 255");
        }

        return PathNames.Normalize(Path.Combine(localDirectory, name));
    }

    /// <summary>Substitutes <c>{host}</c>, <c>{address}</c> and host variables.</summary>
    public static string Substitute(string text, HostSpec host) => Inventory.Inventory.Substitute(text, host);

    private static TaskDescriptor GroupNode(TaskDescriptor task, IReadOnlyList<string> members) => new()
    {
        Name = task.Name,
        Method = task.Method,
        Doc = task.Doc,
        IsDefault = task.IsDefault,
        DependsOn = members,
        Invoke = static _ => ValueTask.FromResult<object?>(null),
        IsHostGroup = true,
    };

}

/// <summary>Builds the nodes of every host task on every host.</summary>
internal sealed class Expansion(Dictionary<string, IReadOnlyList<HostSpec>> hostTasks)
{
    private static readonly TaskInvoker Nothing = static _ => ValueTask.FromResult<object?>(null);

    public List<TaskDescriptor> Nodes { get; } = [];

    public Dictionary<string, HostSpec> HostOfNode { get; } = new(StringComparer.Ordinal);

    /// <summary>The join node of each sub sequence, by sub task.</summary>
    public Dictionary<string, List<string>> SubJoins { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a host task's nodes on one host, with its sub sequences; returns the node that joins them.</summary>
    public string AddHost(TaskDescriptor task, HostSpec host, IReadOnlyList<TaskDescriptor> subs)
    {
        var prefix = HostExpansion.NodeName(task.Name, host.Name);
        var dependsOn = task.DependsOn.Select(d => task.IsBarrier || !RunsOn(d, host) ? d : HostExpansion.NodeName(d, host.Name)).ToArray();
        if (subs.Count == 0 && !HasPhases(task))
        {
            Add(Node(task, host, prefix, SequencePhase.None, dependsOn, new PhaseContent
            {
                FileDeps = [.. task.FileDeps.Select(p => HostExpansion.Substitute(p, host)), .. task.Ships.Select(s => HostExpansion.Substitute(s.Local, host))],
                Targets = [.. task.Targets.Select(p => HostExpansion.Substitute(p, host)), .. task.Fetches.Select(f => HostExpansion.FetchTarget(f, host))],
                UpToDate = task.UpToDate,
                RemoteSteps = task.RemoteSteps,
                RemoteTargets = task.RemoteTargets,
                Ships = task.Ships,
                Fetches = task.Fetches,
                Invoke = task.Invoke,
            }), host);
            return prefix;
        }

        var last = AddPhases(task, host, prefix, dependsOn);
        var members = new List<string> { last };
        var info = new HostInfo(host.Name, host.Target, host.Vars);
        foreach (var sub in subs)
        {
            var items = sub.ForEach?.Invoke(info).ToList();
            foreach (var item in items ?? [null!])
            {
                var subPrefix = item is null ? $"{prefix}::{sub.Name}" : $"{prefix}::{sub.Name}:{item}";
                var subHost = item is null ? host : host with { Vars = new Dictionary<string, string>(host.Vars, StringComparer.Ordinal) { ["item"] = item } };
                var subDepends = sub.DependsOn.Select(d => !RunsOn(d, host) ? d : HostExpansion.NodeName(d, host.Name)).Append(last).ToArray();
                string subJoin;
                if (HasPhases(sub))
                {
                    var subLast = AddPhases(sub, subHost, subPrefix, subDepends, item);
                    subJoin = subPrefix;
                    Add(Join(sub, host, subPrefix, [subLast]), subHost);
                }
                else
                {
                    subJoin = subPrefix;
                    Add(Node(sub, host, subPrefix, SequencePhase.None, subDepends, item, new PhaseContent
                    {
                        FileDeps = [.. sub.FileDeps.Select(p => HostExpansion.Substitute(p, subHost))],
                        Targets = [.. sub.Targets.Select(p => HostExpansion.Substitute(p, subHost))],
                        UpToDate = sub.UpToDate,
                        RemoteSteps = sub.RemoteSteps,
                        RemoteTargets = sub.RemoteTargets,
                        Invoke = sub.Invoke,
                    }), subHost);
                }

                members.Add(subJoin);
                if (!SubJoins.TryGetValue(sub.Name, out var joins))
                {
                    SubJoins[sub.Name] = joins = [];
                }

                joins.Add(subJoin);
            }
        }

        Add(Join(task, host, prefix, members), host);
        return prefix;
    }

    // More than the remote steps phase (and the method's body): the task runs as a chain of phase nodes.
    private static bool HasPhases(TaskDescriptor task) =>
        !task.IsForever && task.Sequence.Count == 0
        && (task.LocalPre is not null || task.LocalPost is not null || task.Ships.Count > 0 || task.Fetches.Count > 0);

    // Adds the phase nodes of one sequence, chained in phase order; returns the last.
    private string AddPhases(TaskDescriptor task, HostSpec host, string prefix, IReadOnlyList<string> dependsOn, string? item = null)
    {
        IReadOnlyList<string> previous = dependsOn;
        string Chain(TaskDescriptor node)
        {
            Add(node, host);
            previous = [node.Name];
            return node.Name;
        }

        string Sub(string text) => HostExpansion.Substitute(text, host);
        var ownFiles = task.LocalPre is null;
        if (task.LocalPre is { } pre)
        {
            Chain(Node(task, host, $"{prefix}::local_pre", SequencePhase.LocalPre, previous, item, new PhaseContent
            {
                FileDeps = [.. task.FileDeps.Select(Sub)],
                Targets = [.. task.Targets.Select(Sub)],
                UpToDate = task.UpToDate,
                Invoke = pre,
            }));
        }

        // Phase names are unique by construction: a second ship of the same files (to another folder), or a second
        // fetch of a file of the same name, gets its position after the name (ship_file:nginx.conf#2).
        var names = new HashSet<string>(StringComparer.Ordinal);
        string Unique(string name)
        {
            var unique = name;
            for (var n = 2; !names.Add(unique); n++)
            {
                unique = $"{name}#{n}";
            }

            return unique;
        }

        foreach (var ship in task.Ships)
        {
            Chain(Node(task, host, Unique($"{prefix}::ship_file:{Sub(ship.Local)}"), SequencePhase.ShipFiles, previous, item, new PhaseContent
            {
                FileDeps = [Sub(ship.Local)],
                Ships = [ship],
            }));
        }

        Chain(Node(task, host, $"{prefix}::remote_steps", SequencePhase.RemoteSteps, previous, item, new PhaseContent
        {
            FileDeps = [.. ownFiles ? task.FileDeps.Select(Sub) : [], .. task.Ships.Select(s => Sub(s.Local))],
            Targets = ownFiles ? [.. task.Targets.Select(Sub)] : [],
            UpToDate = ownFiles ? task.UpToDate : [],
            RemoteSteps = task.RemoteSteps,
            RemoteTargets = task.RemoteTargets,
            Invoke = task.Invoke,
        }));

        foreach (var fetch in task.Fetches)
        {
            var target = HostExpansion.FetchTarget(fetch, host);
            Chain(Node(task, host, Unique($"{prefix}::fetch_file:{Path.GetFileName(target)}"), SequencePhase.FetchFiles, previous, item, new PhaseContent
            {
                Targets = [target],
                Fetches = [fetch],
            }));
        }

        if (task.LocalPost is { } post)
        {
            Chain(Node(task, host, $"{prefix}::local_post", SequencePhase.LocalPost, previous, item, new PhaseContent
            {
                FileDeps = [.. task.Fetches.Select(f => HostExpansion.FetchTarget(f, host))],
                Invoke = post,
            }));
        }

        return previous[0];
    }

    private static TaskDescriptor Node(TaskDescriptor task, HostSpec host, string name, SequencePhase phase, IReadOnlyList<string> dependsOn, PhaseContent content) =>
        Node(task, host, name, phase, dependsOn, null, content);

    private static TaskDescriptor Node(TaskDescriptor task, HostSpec host, string name, SequencePhase phase, IReadOnlyList<string> dependsOn, string? item, PhaseContent content) => new()
    {
        FileDeps = content.FileDeps,
        Targets = content.Targets,
        UpToDate = content.UpToDate,
        RemoteSteps = content.RemoteSteps,
        RemoteTargets = content.RemoteTargets,
        Ships = content.Ships,
        Fetches = content.Fetches,
        Invoke = content.Invoke ?? Nothing,
        Name = name,
        Method = task.Method,
        Doc = task.Doc,
        Host = host.Name,
        Hosts = task.Hosts ?? "",
        IsBarrier = task.IsBarrier,
        DependsOn = dependsOn,
        CreateAfter = task.CreateAfter,
        Phase = phase,
        Item = item,
        Critical = task.Critical,
        Timeout = task.Timeout,
        Resources = task.Resources,
        // A forever or sequence host task runs as one node per host: its phases are not split (see HasPhases).
        IsForever = phase == SequencePhase.None && task.IsForever,
        Sequence = phase == SequencePhase.None ? task.Sequence : [],
        ServiceType = task.ServiceType,
        TakesServices = task.TakesServices,
        Clean = task.Clean,
        Source = task.Source,
    };

    private static TaskDescriptor Join(TaskDescriptor task, HostSpec host, string name, IReadOnlyList<string> members) => new()
    {
        Name = name,
        Method = task.Method,
        Doc = task.Doc,
        Host = host.Name,
        Hosts = task.Hosts ?? "",
        DependsOn = members,
        Phase = SequencePhase.HostJoin,
        Invoke = Nothing,
        IsHostGroup = true,
    };

    private void Add(TaskDescriptor node, HostSpec host)
    {
        Nodes.Add(node);
        HostOfNode[node.Name] = host;
    }

    private bool RunsOn(string task, HostSpec host) =>
        hostTasks.TryGetValue(task, out var hosts) && hosts.Any(h => h.Name == host.Name);
}

/// <summary>What one phase node does and checks.</summary>
internal sealed class PhaseContent
{
    public IReadOnlyList<string> FileDeps { get; init; } = [];

    public IReadOnlyList<string> Targets { get; init; } = [];

    public IReadOnlyList<UpToDateRule> UpToDate { get; init; } = [];

    public IReadOnlyList<RemoteStepSpec> RemoteSteps { get; init; } = [];

    public IReadOnlyList<string> RemoteTargets { get; init; } = [];

    public IReadOnlyList<ShipSpec> Ships { get; init; } = [];

    public IReadOnlyList<FetchSpec> Fetches { get; init; } = [];

    public TaskInvoker? Invoke { get; init; }
}

/// <summary>The tasks after expansion, and the host of each host node.</summary>
/// <param name="Tasks">Local tasks, host nodes and the host tasks' group nodes.</param>
/// <param name="HostOfNode">The host of each host node, by node name.</param>
public sealed record ExpandedTasks(IReadOnlyList<TaskDescriptor> Tasks, IReadOnlyDictionary<string, HostSpec> HostOfNode);
