using Orchestrate.Planning;

namespace Orchestrate.Remote;

/// <summary>
/// Turns each host task into one node per host (<c>deploy:web1</c>) plus a node of the task's own name
/// that waits for all of them. A host task that depends on another host task waits for it on its own
/// host only (per-host pipelining: <c>site:web1</c> needs <c>install:web1</c>, not <c>install:web2</c>),
/// unless it is a barrier. Paths and commands are substituted per host (<c>logs/{host}/</c>). Shipped
/// files become file deps of the node, fetched files its targets.
/// </summary>
public static class HostExpansion
{
    /// <summary>Expands the host tasks. <paramref name="hostsOf"/> gives the hosts a task runs on (after --limit).</summary>
    public static ExpandedTasks Expand(IReadOnlyList<TaskDescriptor> tasks, Func<TaskDescriptor, IReadOnlyList<HostSpec>> hostsOf)
    {
        var hostTasks = new Dictionary<string, IReadOnlyList<HostSpec>>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (task.Hosts is not null)
            {
                hostTasks[task.Name] = hostsOf(task);
            }
        }

        if (hostTasks.Count == 0)
        {
            return new ExpandedTasks(tasks, new Dictionary<string, HostSpec>());
        }

        var result = new List<TaskDescriptor>(tasks.Count + (hostTasks.Count * 4));
        var hostOfNode = new Dictionary<string, HostSpec>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (!hostTasks.TryGetValue(task.Name, out var hosts))
            {
                result.Add(task);
                continue;
            }

            var nodes = new List<string>(hosts.Count);
            foreach (var host in hosts)
            {
                var node = NodeName(task.Name, host.Name);
                nodes.Add(node);
                hostOfNode[node] = host;
                result.Add(new TaskDescriptor
                {
                    Name = node,
                    Method = task.Method,
                    Doc = task.Doc,
                    Host = host.Name,
                    Hosts = task.Hosts,
                    IsBarrier = task.IsBarrier,
                    DependsOn = task.DependsOn.Select(d => task.IsBarrier || !RunsOn(hostTasks, d, host) ? d : NodeName(d, host.Name)).ToArray(),
                    CreateAfter = task.CreateAfter,
                    FileDeps = [.. task.FileDeps.Select(p => Substitute(p, host)), .. task.Ships.Select(s => Substitute(s.Local, host))],
                    Targets = [.. task.Targets.Select(p => Substitute(p, host)), .. task.Fetches.Select(f => FetchTarget(f, host))],
                    UpToDate = task.UpToDate,
                    RemoteSteps = task.RemoteSteps,
                    Ships = task.Ships,
                    Fetches = task.Fetches,
                    RemoteTargets = task.RemoteTargets,
                    ServiceType = task.ServiceType,
                    Critical = task.Critical,
                    IsForever = task.IsForever,
                    Timeout = task.Timeout,
                    Resources = task.Resources,
                    Sequence = task.Sequence,
                    Invoke = task.Invoke,
                    Clean = task.Clean,
                    Source = task.Source,
                });
            }

            // The task's own name stands for all its hosts: what depends on it waits for every host.
            result.Add(new TaskDescriptor
            {
                Name = task.Name,
                Method = task.Method,
                Doc = task.Doc,
                IsDefault = task.IsDefault,
                DependsOn = nodes,
                Invoke = static _ => ValueTask.FromResult<object?>(null),
                IsHostGroup = true,
            });
        }

        return new ExpandedTasks(result, hostOfNode);
    }

    /// <summary>The name of a host task's node on one host.</summary>
    public static string NodeName(string task, string host) => $"{task}:{host}";

    /// <summary>Where a fetched file lands for one host.</summary>
    public static string FetchTarget(FetchSpec fetch, HostSpec host)
    {
        var directory = Substitute(fetch.LocalDirectory, host);
        var name = Path.GetFileName(Substitute(fetch.RemotePath, host).TrimEnd('/'));
        return PathNames.Normalize(Path.Combine(directory, name));
    }

    /// <summary>Substitutes <c>{host}</c>, <c>{address}</c> and host variables.</summary>
    public static string Substitute(string text, HostSpec host) => Inventory.Inventory.Substitute(text, host);

    private static bool RunsOn(Dictionary<string, IReadOnlyList<HostSpec>> hostTasks, string task, HostSpec host) =>
        hostTasks.TryGetValue(task, out var hosts) && hosts.Any(h => h.Name == host.Name);
}

/// <summary>The tasks after expansion, and the host of each host node.</summary>
/// <param name="Tasks">Local tasks, host nodes and the host tasks' group nodes.</param>
/// <param name="HostOfNode">The host of each host node, by node name.</param>
public sealed record ExpandedTasks(IReadOnlyList<TaskDescriptor> Tasks, IReadOnlyDictionary<string, HostSpec> HostOfNode);
