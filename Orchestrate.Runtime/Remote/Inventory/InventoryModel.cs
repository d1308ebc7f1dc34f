namespace Orchestrate.Remote.Inventory;

/// <summary>
/// What an inventory source says, before it is resolved into hosts: groups with their settings, members and
/// children, and host entries in the order they were written.
/// </summary>
internal sealed class InventoryModel(string source)
{
    public const string All = "all";
    public const string Ungrouped = "ungrouped";

    private readonly Dictionary<string, Group> groups = new(StringComparer.Ordinal);
    private readonly List<Group> groupOrder = [];
    private readonly Dictionary<string, HostEntry> hosts = new(StringComparer.Ordinal);
    private readonly List<HostEntry> hostOrder = [];

    public string Source { get; } = source;

    /// <summary>List hosts in natural name order (web2 before web10) instead of the order written.</summary>
    public bool SortHostsByName { get; init; }

    public IEnumerable<string> GroupNames => groupOrder.Select(group => group.Name);

    public IEnumerable<string> HostNames => hostOrder.Select(host => host.Name);

    public bool HasGroup(string name) => groups.ContainsKey(name);

    public bool HasHost(string name) => hosts.ContainsKey(name);

    /// <summary>The group named <paramref name="name"/>, created where first mentioned.</summary>
    public Group GetGroup(string name, string location)
    {
        if (!groups.TryGetValue(name, out var group))
        {
            HostRange.CheckName(name, "group", location);
            group = new Group(name, location);
            groups[name] = group;
            groupOrder.Add(group);
        }

        return group;
    }

    /// <summary>Adds a layer of settings to a host (creating it); later layers win.</summary>
    public void AddHost(string name, HostSettings? settings, int rank, string location)
    {
        if (!hosts.TryGetValue(name, out var host))
        {
            host = new HostEntry(name, location);
            hosts[name] = host;
            hostOrder.Add(host);
        }

        if (settings is not null)
        {
            host.Layers.Add((rank, host.Layers.Count, settings));
        }
    }

    /// <summary>Resolves groups (children, precedence) and hosts into an <see cref="Inventory"/>.</summary>
    public Inventory Build()
    {
        if (SortHostsByName)
        {
            hostOrder.Sort((a, b) => Text.NaturalCompare(a.Name, b.Name));
        }

        var all = GetGroup(All, Source);
        var ungrouped = GetGroup(Ungrouped, Source);
        foreach (var group in groupOrder)
        {
            foreach (var (child, location) in group.Children)
            {
                if (!groups.TryGetValue(child, out var childGroup))
                {
                    var known = groupOrder.Select(g => g.Name).Where(n => n is not All and not Ungrouped);
                    throw new InventoryException(
                        $"{location}: group {Text.Quote(group.Name)} has child {Text.Quote(child)}, which is not a group. " +
                        $"Define it under Groups or fix the name (groups: {Text.List(known)}).{Text.DidYouMean(child, known)}");
                }

                if (child == All)
                {
                    throw new InventoryException($"{location}: group 'all' cannot be a child of {Text.Quote(group.Name)}; every group is already under 'all'. Remove it.");
                }

                childGroup.Parents.Add(group);
            }
        }

        // Top-level groups hang under 'all'.
        foreach (var group in groupOrder)
        {
            if (group != all && group.Parents.Count == 0)
            {
                group.Parents.Add(all);
                if (!all.Children.Any(c => c.Name == group.Name))
                {
                    all.Children.Add((group.Name, group.Location));
                }
            }
        }

        var depth = new Dictionary<Group, int>();
        foreach (var group in groupOrder)
        {
            Depth(group, depth, []);
        }

        // Hosts in no group but 'all' (and 'ungrouped') are ungrouped, as in Ansible.
        var membership = groupOrder.ToDictionary(group => group, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (var group in groupOrder)
        {
            foreach (var host in group.Hosts)
            {
                foreach (var ancestor in SelfAndAncestors(group))
                {
                    membership[ancestor].Add(host);
                }
            }
        }

        foreach (var host in hostOrder)
        {
            membership[all].Add(host.Name);
            if (!groupOrder.Any(group => group != all && group != ungrouped && membership[group].Contains(host.Name)))
            {
                membership[ungrouped].Add(host.Name);
            }
        }

        var specs = new List<HostSpec>(hostOrder.Count);
        foreach (var host in hostOrder)
        {
            var hostGroups = groupOrder.Where(group => membership[group].Contains(host.Name)).ToList();
            var merged = new HostSettings();
            foreach (var group in hostGroups.OrderBy(g => depth[g]).ThenBy(g => g.Priority).ThenBy(g => g.Name, StringComparer.Ordinal))
            {
                merged.MergeFrom(group.Settings);
            }

            foreach (var (_, _, layer) in host.Layers.OrderBy(l => l.Rank).ThenBy(l => l.Index))
            {
                merged.MergeFrom(layer);
            }

            var arguments = (merged.SshArguments ?? []).Concat(merged.SshExtraArguments ?? []).ToArray();
            specs.Add(new HostSpec
            {
                Name = host.Name,
                Address = merged.Address,
                Port = merged.Port,
                User = merged.User,
                IdentityFile = merged.IdentityFile,
                KnownHostsFile = merged.KnownHostsFile,
                HostKeyChecking = merged.HostKeyChecking ?? HostKeyChecking.Default,
                SshArguments = Array.AsReadOnly(arguments),
                ConnectTimeoutSeconds = merged.ConnectTimeoutSeconds ?? 10,
                MaxChannels = merged.MaxChannels ?? 8,
                Vars = Ordered(merged.VarOrder.Select(name => KeyValuePair.Create(name, merged.Vars[name]))),
                Groups = Array.AsReadOnly(hostGroups.Where(g => g != all && g != ungrouped).Select(g => g.Name).ToArray()),
            });
        }

        var index = hostOrder.Select((host, i) => (host.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var groupHosts = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        foreach (var group in new[] { all }.Concat(groupOrder.Where(g => g != all && g != ungrouped)).Append(ungrouped))
        {
            IReadOnlyList<string> members = Array.AsReadOnly(membership[group].OrderBy(name => index[name]).ToArray());
            groupHosts.Add(KeyValuePair.Create(group.Name, members));
        }

        return new Inventory(specs, Ordered(groupHosts), Source);
    }

    private static IReadOnlyDictionary<string, T> Ordered<T>(IEnumerable<KeyValuePair<string, T>> pairs)
    {
        var ordered = new OrderedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            ordered[key] = value;
        }

        return new System.Collections.ObjectModel.ReadOnlyDictionary<string, T>(ordered);
    }

    private static IEnumerable<Group> SelfAndAncestors(Group group)
    {
        var seen = new HashSet<Group>();
        var stack = new Stack<Group>([group]);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next))
            {
                yield return next;
                foreach (var parent in next.Parents)
                {
                    stack.Push(parent);
                }
            }
        }
    }

    /// <summary>Longest path from 'all' (depth 0); a loop of children is an error.</summary>
    private static int Depth(Group group, Dictionary<Group, int> depth, List<Group> path)
    {
        if (depth.TryGetValue(group, out var known))
        {
            return known;
        }

        if (path.Contains(group))
        {
            var loop = path.SkipWhile(g => g != group).Append(group).Reverse().Select(g => g.Name);
            throw new InventoryException(
                $"{group.Location}: groups contain each other in a loop ({string.Join(" -> ", loop)}). Remove one of these children.");
        }

        path.Add(group);
        var value = group.Parents.Count == 0 ? 0 : group.Parents.Max(parent => Depth(parent, depth, path)) + 1;
        path.RemoveAt(path.Count - 1);
        depth[group] = value;
        return value;
    }

    /// <summary>A group: its own settings, the hosts listed in it, its children (by name) and parents.</summary>
    internal sealed class Group(string name, string location)
    {
        public string Name { get; } = name;

        public string Location { get; } = location;

        public HostSettings Settings { get; } = new();

        /// <summary>Hosts listed directly (children's hosts are added when resolving).</summary>
        public List<string> Hosts { get; } = [];

        public List<(string Name, string Location)> Children { get; } = [];

        public List<Group> Parents { get; } = [];

        /// <summary>Ansible's <c>ansible_group_priority</c>: among groups of the same depth, higher merges later.</summary>
        public int Priority { get; set; } = 1;

        private readonly HashSet<string> hostSet = new(StringComparer.Ordinal);

        public void AddHost(string host)
        {
            if (hostSet.Add(host))
            {
                Hosts.Add(host);
            }
        }

        public void AddChild(string child, string location)
        {
            if (!Children.Any(c => c.Name == child))
            {
                Children.Add((child, location));
            }
        }
    }

    private sealed class HostEntry(string name, string location)
    {
        public string Name { get; } = name;

        public string Location { get; } = location;

        public List<(int Rank, int Index, HostSettings Settings)> Layers { get; } = [];
    }
}
