using Orchestrate.Remote.Testbed;

namespace Orchestrate.Remote;

/// <summary>Inventories built in code: from a list of hosts, or from the loopback testbed.</summary>
public static class InventoryBuilder
{
    /// <summary>An inventory of these hosts; each host's <see cref="HostSpec.Groups"/> puts it in groups
    /// (and every host is in <c>all</c>).</summary>
    public static Inventory.Inventory FromHosts(IEnumerable<HostSpec> hosts, string source = "inventory built in code")
    {
        var list = hosts.ToList();
        var groups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["all"] = list.Select(h => h.Name).ToList(),
            ["ungrouped"] = list.Where(h => h.Groups.Count == 0).Select(h => h.Name).ToList(),
        };
        foreach (var group in list.SelectMany(h => h.Groups).Distinct(StringComparer.Ordinal))
        {
            groups[group] = list.Where(h => h.Groups.Contains(group)).Select(h => h.Name).ToList();
        }

        return new Inventory.Inventory(list, groups, source);
    }

    /// <summary>The hosts of a loopback testbed, all in <paramref name="group"/>, with its keys and known_hosts
    /// (host key checking stays on).</summary>
    public static Inventory.Inventory FromTestbed(LoopbackTestbed testbed, string group = "lab") =>
        FromHosts(testbed.Hosts.Select(host => HostSpecOf(testbed, host) with { Groups = [group] }), $"loopback testbed ({testbed.Hosts.Count} hosts)");

    /// <summary>One testbed host as the transport sees it: its address, port, user, the testbed's key and known_hosts.</summary>
    public static HostSpec HostSpecOf(LoopbackTestbed testbed, TestbedHost host) => new()
    {
        Name = host.Name,
        Address = host.Address,
        Port = host.Port,
        User = host.User,
        IdentityFile = testbed.IdentityFile,
        KnownHostsFile = testbed.KnownHostsFile,
        SshArguments = ["-o", "GlobalKnownHostsFile=/dev/null"],
        Vars = new Dictionary<string, string> { ["port"] = host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };
}
