namespace Orchestrate.Remote.Inventory;

/// <summary>
/// Reads Ansible's YAML inventory format: <c>all: { vars, hosts, children: { group: { hosts, vars, children } } }</c>;
/// top-level keys other than <c>all</c> are groups too.
/// </summary>
internal static class AnsibleInventoryReader
{
    private static readonly string[] GroupKeys = ["hosts", "vars", "children"];

    public static Inventory Read(InventoryNode? root, string source, string baseDirectory)
    {
        var model = new InventoryModel(source);
        if (root is null || NodeValues.IsNull(root))
        {
            return model.Build();
        }

        var top = NodeValues.Map(root, "an Ansible inventory", "all: { hosts: { web1: } }");
        foreach (var entry in top.Entries)
        {
            ReadGroup(model, entry.Key, entry.Value, entry.KeyLocation, baseDirectory);
        }

        return model.Build();
    }

    private static void ReadGroup(InventoryModel model, string name, InventoryNode node, string location, string baseDirectory)
    {
        var group = model.GetGroup(name, location);
        var what = $"group {Text.Quote(name)}";
        foreach (var entry in NodeValues.Map(node, what, "hosts:, vars: and children: under it").Entries)
        {
            switch (entry.Key)
            {
                case "hosts":
                    if (entry.Value is SequenceNode)
                    {
                        throw new InventoryException(
                            $"{entry.Value.Location}: the hosts of {what} are a list; Ansible writes them as a mapping. Write each host as 'name:' on its own line.");
                    }

                    foreach (var host in NodeValues.Map(entry.Value, $"the hosts of {what}", "each host as 'name:' on its own line").Entries)
                    {
                        var names = HostRange.ExpandName(host.Key, host.KeyLocation);
                        var hostWhat = $"host {Text.Quote(host.Key)}";
                        var settings = new HostSettings();
                        foreach (var variable in NodeValues.Map(host.Value, $"the variables of {hostWhat}", "'name: value' lines under the host").Entries)
                        {
                            ReadVariable(settings, variable, group: null, baseDirectory);
                        }

                        foreach (var (hostName, layer) in InventoryHosts.PerHost(host.Key, names, settings, host.Value.Location))
                        {
                            model.AddHost(hostName, layer, rank: 0, host.KeyLocation);
                            group.AddHost(hostName);
                        }
                    }

                    break;

                case "vars":
                    var settingsOfGroup = new HostSettings();
                    foreach (var variable in NodeValues.Map(entry.Value, $"the vars of {what}", "'name: value' lines under vars:").Entries)
                    {
                        ReadVariable(settingsOfGroup, variable, group, baseDirectory);
                    }

                    if (settingsOfGroup.Address is not null && HostRange.HasRange(settingsOfGroup.Address))
                    {
                        throw new InventoryException(
                            $"{entry.KeyLocation}: {what} sets a host range as ansible_host; ranges of addresses go with a range of hosts. Move it to the host entry.");
                    }

                    group.Settings.MergeFrom(settingsOfGroup);
                    break;

                case "children":
                    if (entry.Value is SequenceNode)
                    {
                        throw new InventoryException(
                            $"{entry.Value.Location}: the children of {what} are a list; Ansible writes them as a mapping. Write each child group as 'name:' on its own line.");
                    }

                    foreach (var child in NodeValues.Map(entry.Value, $"the children of {what}", "each child group as 'name:' on its own line").Entries)
                    {
                        group.AddChild(child.Key, child.KeyLocation);
                        ReadGroup(model, child.Key, child.Value, child.KeyLocation, baseDirectory);
                    }

                    break;

                default:
                    throw new InventoryException(
                        $"{entry.KeyLocation}: {Text.Quote(entry.Key)} is not a key of an Ansible group. Use hosts, vars or children.{Text.DidYouMean(entry.Key, GroupKeys)}");
            }
        }
    }

    /// <summary>Maps Ansible's connection variables to host settings; every other variable stays a variable.</summary>
    private static void ReadVariable(HostSettings settings, MapEntry variable, InventoryModel.Group? group, string baseDirectory)
    {
        var name = variable.Key;
        var location = variable.Value.Location;
        if (!IsSetting(name))
        {
            if (name == "ansible_group_priority" && group is not null)
            {
                group.Priority = SettingValues.Positive(NodeValues.Scalar(variable.Value, name), location, name);
                return;
            }

            SettingValues.CheckVarName(name, variable.KeyLocation, group is null ? "the host" : $"group {Text.Quote(group.Name)}");
            settings.SetVar(name, NodeValues.VarText(variable.Value));
            return;
        }

        var value = NodeValues.Scalar(variable.Value, name);
        if (value is null)
        {
            return;
        }

        if (value.Contains("{{", StringComparison.Ordinal))
        {
            throw new InventoryException(
                $"{location}: {name} {Text.Quote(value)} is a Jinja template; Orchestrate does not evaluate templates. Write the value itself.");
        }

        switch (name)
        {
            case "ansible_host" or "ansible_ssh_host":
                settings.Address = SettingValues.Address(value, variable.Value, location);
                break;
            case "ansible_port" or "ansible_ssh_port":
                settings.Port = SettingValues.Port(value, location, name);
                break;
            case "ansible_user" or "ansible_ssh_user":
                settings.User = value;
                break;
            case "ansible_ssh_private_key_file" or "ansible_private_key_file":
                settings.IdentityFile = SettingValues.Path(value, location, name, baseDirectory);
                break;
            case "ansible_ssh_common_args":
                settings.SshArguments = SettingValues.SshArguments(SettingValues.SplitShell(value, location, name), location, name);
                break;
            case "ansible_ssh_extra_args":
                settings.SshExtraArguments = SettingValues.SshArguments(SettingValues.SplitShell(value, location, name), location, name);
                break;
            case "ansible_ssh_timeout" or "orchestrate_connect_timeout":
                settings.ConnectTimeoutSeconds = SettingValues.Positive(value, location, name);
                break;
            case "ansible_host_key_checking" or "ansible_ssh_host_key_checking":
                settings.HostKeyChecking = SettingValues.AnsibleHostKeyChecking(value, location, name);
                break;
            case "orchestrate_host_key_checking":
                settings.HostKeyChecking = SettingValues.HostKeyCheckingValue(value, location, name);
                break;
            case "orchestrate_known_hosts_file":
                settings.KnownHostsFile = SettingValues.Path(value, location, name, baseDirectory);
                break;
            case "orchestrate_max_channels":
                settings.MaxChannels = SettingValues.MaxChannels(value, location);
                break;
        }
    }

    private static bool IsSetting(string name) => name is
        "ansible_host" or "ansible_ssh_host" or "ansible_port" or "ansible_ssh_port" or "ansible_user" or "ansible_ssh_user"
        or "ansible_ssh_private_key_file" or "ansible_private_key_file" or "ansible_ssh_common_args" or "ansible_ssh_extra_args"
        or "ansible_ssh_timeout" or "orchestrate_connect_timeout" or "ansible_host_key_checking" or "ansible_ssh_host_key_checking"
        or "orchestrate_host_key_checking" or "orchestrate_known_hosts_file" or "orchestrate_max_channels";
}
