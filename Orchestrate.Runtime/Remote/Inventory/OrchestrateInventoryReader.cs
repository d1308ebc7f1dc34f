namespace Orchestrate.Remote.Inventory;

/// <summary>
/// Reads Orchestrate's own inventory shape (configuration or a .json file); see <see cref="Inventory.FromConfiguration"/>.
/// Setting names are case-insensitive, as configuration keys are.
/// </summary>
internal static class OrchestrateInventoryReader
{
    private static readonly string[] TopKeys = ["Defaults", "Hosts", "Groups"];

    private static readonly string[] SettingKeys =
        ["Address", "Port", "User", "IdentityFile", "KnownHostsFile", "HostKeyChecking", "SshArguments", "ConnectTimeoutSeconds", "MaxChannels", "Vars"];

    private const string HostsExpected = "\"Hosts\": { \"web1\": { \"Address\": \"10.0.0.1\" } }";

    public static Inventory Read(InventoryNode? root, string source, string baseDirectory, bool sortHostsByName)
    {
        var model = new InventoryModel(source) { SortHostsByName = sortHostsByName };
        if (root is null || NodeValues.IsNull(root))
        {
            return model.Build();
        }

        var top = NodeValues.Map(root, "the inventory", "{ \"Defaults\": {...}, \"Hosts\": {...}, \"Groups\": {...} }");
        var references = new List<(InventoryModel.Group Group, InventoryNode Node)>();
        foreach (var entry in top.Entries)
        {
            switch (Key(entry, TopKeys, "inventory"))
            {
                case "Defaults":
                    var defaults = ReadSettings(entry.Value, "Defaults", allowAddress: false, baseDirectory, extra: null);
                    model.GetGroup(InventoryModel.All, entry.KeyLocation).Settings.MergeFrom(defaults);
                    break;

                case "Hosts":
                    ReadHosts(model, entry.Value, null, baseDirectory);
                    break;

                case "Groups":
                    var groups = NodeValues.Map(entry.Value, "Groups", "\"Groups\": { \"web\": { \"Hosts\": [\"web1\"] } }");
                    foreach (var groupEntry in groups.Entries)
                    {
                        ReadGroup(model, groupEntry, references, baseDirectory);
                    }

                    break;
            }
        }

        // Hosts listed by name in a group must be defined (under Hosts, or inline in a group's Hosts mapping).
        foreach (var (group, node) in references)
        {
            var text = NodeValues.Scalar(node, $"a host of group {Text.Quote(group.Name)}");
            if (text is null)
            {
                continue;
            }

            foreach (var name in HostRange.ExpandName(text, node.Location))
            {
                if (!model.HasHost(name))
                {
                    throw new InventoryException(
                        $"{node.Location}: group {Text.Quote(group.Name)} lists host {Text.Quote(name)}, which is not defined. " +
                        $"Add it under Hosts or fix the name.{Text.DidYouMean(name, model.HostNames)}");
                }

                group.AddHost(name);
            }
        }

        return model.Build();
    }

    private static void ReadGroup(
        InventoryModel model,
        MapEntry entry,
        List<(InventoryModel.Group Group, InventoryNode Node)> references,
        string baseDirectory)
    {
        var group = model.GetGroup(entry.Key, entry.KeyLocation);
        var what = $"group {Text.Quote(entry.Key)}";
        var settings = ReadSettings(entry.Value, what, allowAddress: false, baseDirectory, extra: (key, value) =>
        {
            switch (key.ToLowerInvariant())
            {
                case "hosts":
                    if (value is MapNode map && !NodeValues.IsConfigurationList(map))
                    {
                        ReadHosts(model, value, group, baseDirectory);
                    }
                    else
                    {
                        references.AddRange(NodeValues.List(value, $"Hosts of {what}", "[\"web1\", \"web[2-3]\"]").Select(node => (group, node)));
                    }

                    return "Hosts";

                case "children":
                    foreach (var child in NodeValues.List(value, $"Children of {what}", "[\"web\", \"db\"]"))
                    {
                        var name = NodeValues.Scalar(child, $"a child of {what}");
                        if (name is not null)
                        {
                            group.AddChild(name, child.Location);
                        }
                    }

                    return "Children";

                default:
                    return null;
            }
        });
        group.Settings.MergeFrom(settings);
    }

    /// <summary>Host entries: a name or range mapped to settings. Range entries apply first, single hosts over them.</summary>
    private static void ReadHosts(InventoryModel model, InventoryNode node, InventoryModel.Group? group, string baseDirectory)
    {
        var hosts = NodeValues.Map(node, "Hosts", HostsExpected);
        foreach (var entry in hosts.Entries)
        {
            var names = HostRange.ExpandName(entry.Key, entry.KeyLocation);
            var settings = ReadSettings(entry.Value, $"host {Text.Quote(entry.Key)}", allowAddress: true, baseDirectory, extra: null);
            var isRange = names.Count != 1 || names[0] != entry.Key;
            foreach (var (name, layer) in InventoryHosts.PerHost(entry.Key, names, settings, entry.Value.Location))
            {
                model.AddHost(name, layer, rank: isRange ? 0 : 1, entry.KeyLocation);
                group?.AddHost(name);
            }
        }
    }

    /// <summary>
    /// Reads a settings mapping. <paramref name="extra"/> handles keys other than settings and returns their
    /// canonical name, or null when the key is not one of its own either.
    /// </summary>
    private static HostSettings ReadSettings(
        InventoryNode node,
        string what,
        bool allowAddress,
        string baseDirectory,
        Func<string, InventoryNode, string?>? extra)
    {
        var settings = new HostSettings();
        var map = NodeValues.Map(node, $"the settings of {what}", "{ \"User\": \"deploy\", \"Port\": 22 }");
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in map.Entries)
        {
            if (seen.TryGetValue(entry.Key, out var first))
            {
                throw new InventoryException($"{entry.KeyLocation}: {what} sets {Text.Quote(entry.Key)} twice (first at {first}). Keep one of them.");
            }

            seen[entry.Key] = entry.KeyLocation;
            var location = entry.Value.Location;
            var key = SettingKeys.FirstOrDefault(k => k.Equals(entry.Key, StringComparison.OrdinalIgnoreCase));
            if (key is null)
            {
                if (extra?.Invoke(entry.Key, entry.Value) is not null)
                {
                    continue;
                }

                var known = SettingKeys.Where(k => allowAddress || k != "Address").Concat(extra is null ? [] : ["Hosts", "Children"]).ToList();
                throw new InventoryException(
                    $"{entry.KeyLocation}: {Text.Quote(entry.Key)} is not a setting of {what}. " +
                    $"Use {string.Join(", ", known)}.{Text.DidYouMean(entry.Key, known)}");
            }

            if (key == "Vars")
            {
                foreach (var variable in NodeValues.Map(entry.Value, $"Vars of {what}", "\"Vars\": { \"env\": \"prod\" }").Entries)
                {
                    SettingValues.CheckVarName(variable.Key, variable.KeyLocation, what);
                    settings.SetVar(variable.Key, NodeValues.VarText(variable.Value));
                }

                continue;
            }

            if (key == "SshArguments")
            {
                var arguments = entry.Value is ScalarNode scalar
                    ? (scalar.Value is null ? [] : SettingValues.SplitShell(scalar.Value, location, "SshArguments"))
                    : NodeValues.List(entry.Value, $"SshArguments of {what}", "[\"-o\", \"ProxyJump=bastion\"]")
                        .Select(item => item is ScalarNode { NotText: true, Value: { } unquoted }
                            ? throw new InventoryException($"{item.Location}: {unquoted} in SshArguments of {what} is not text: an SSH argument must be a string. Write it in quotes, as [\"-p\", \"2222\"].")
                            : NodeValues.Scalar(item, "an SSH argument") ?? throw new InventoryException($"{item.Location}: an SSH argument of {what} is null. Remove it, or write the argument."))
                        .ToList();
                settings.SshArguments = SettingValues.SshArguments(arguments, location, "SshArguments");
                continue;
            }

            var value = NodeValues.Scalar(entry.Value, $"{key} of {what}");
            if (value is null)
            {
                continue;
            }

            switch (key)
            {
                case "Address" when !allowAddress:
                    throw new InventoryException(
                        $"{entry.KeyLocation}: {what} sets Address, which belongs to one host. Move it to the host's entry under Hosts.");
                case "Address":
                    settings.Address = SettingValues.Address(value, entry.Value, location);
                    break;
                case "Port":
                    settings.Port = SettingValues.Port(value, location, "Port");
                    break;
                case "User":
                    settings.User = value;
                    break;
                case "IdentityFile":
                    settings.IdentityFile = SettingValues.Path(value, location, "IdentityFile", baseDirectory);
                    break;
                case "KnownHostsFile":
                    settings.KnownHostsFile = SettingValues.Path(value, location, "KnownHostsFile", baseDirectory);
                    break;
                case "HostKeyChecking":
                    settings.HostKeyChecking = SettingValues.HostKeyCheckingValue(value, location, "HostKeyChecking");
                    break;
                case "ConnectTimeoutSeconds":
                    settings.ConnectTimeoutSeconds = SettingValues.Positive(value, location, "ConnectTimeoutSeconds");
                    break;
                case "MaxChannels":
                    settings.MaxChannels = SettingValues.MaxChannels(value, location);
                    break;
            }
        }

        return settings;
    }

    private static string Key(MapEntry entry, string[] keys, string what)
    {
        return keys.FirstOrDefault(k => k.Equals(entry.Key, StringComparison.OrdinalIgnoreCase))
            ?? throw new InventoryException(
                $"{entry.KeyLocation}: {Text.Quote(entry.Key)} is not a section of the {what}. Use {string.Join(", ", keys)}.{Text.DidYouMean(entry.Key, keys)}");
    }
}

/// <summary>Shared handling of host entries.</summary>
internal static class InventoryHosts
{
    /// <summary>
    /// The settings of each host of an entry: an address holding a range is expanded in step with the names
    /// (host <c>web[1-3]</c>, address <c>10.0.0.[11-13]</c>); any other address applies to every host.
    /// </summary>
    public static IEnumerable<(string Name, HostSettings Settings)> PerHost(string entry, IReadOnlyList<string> names, HostSettings settings, string location)
    {
        if (settings.Address is null || !HostRange.HasRange(settings.Address))
        {
            return names.Select(name => (name, settings));
        }

        var addresses = HostRange.ExpandAddress(settings.Address, location);
        if (addresses.Count != names.Count)
        {
            throw new InventoryException(
                $"{location}: the address {Text.Quote(settings.Address)} gives {addresses.Count} addresses for the {names.Count} hosts of {Text.Quote(entry)}. " +
                "Make both ranges the same length.");
        }

        return names.Select((name, i) =>
        {
            var own = settings.Clone();
            own.Address = addresses[i];
            return (name, own);
        });
    }
}
