using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrate.Remote.Inventory;

/// <summary>
/// One layer of host settings (defaults, a group, a host entry); unset values leave the layers below in place.
/// </summary>
internal sealed class HostSettings
{
    public string? Address { get; set; }

    public int? Port { get; set; }

    public string? User { get; set; }

    public string? IdentityFile { get; set; }

    public string? KnownHostsFile { get; set; }

    public HostKeyChecking? HostKeyChecking { get; set; }

    /// <summary>SSH arguments (Ansible: <c>ansible_ssh_common_args</c>).</summary>
    public IReadOnlyList<string>? SshArguments { get; set; }

    /// <summary>More SSH arguments after <see cref="SshArguments"/> (Ansible: <c>ansible_ssh_extra_args</c>).</summary>
    public IReadOnlyList<string>? SshExtraArguments { get; set; }

    public int? ConnectTimeoutSeconds { get; set; }

    public int? MaxChannels { get; set; }

    public Dictionary<string, string> Vars { get; } = new(StringComparer.Ordinal);

    /// <summary>The variable names in the order they were first set (Dictionary order is not kept on removal).</summary>
    public List<string> VarOrder { get; } = [];

    public void SetVar(string name, string value)
    {
        if (!Vars.ContainsKey(name))
        {
            VarOrder.Add(name);
        }

        Vars[name] = value;
    }

    /// <summary>Lays <paramref name="over"/> on top of this layer: what it sets wins, variables are merged.</summary>
    public void MergeFrom(HostSettings over)
    {
        Address = over.Address ?? Address;
        Port = over.Port ?? Port;
        User = over.User ?? User;
        IdentityFile = over.IdentityFile ?? IdentityFile;
        KnownHostsFile = over.KnownHostsFile ?? KnownHostsFile;
        HostKeyChecking = over.HostKeyChecking ?? HostKeyChecking;
        SshArguments = over.SshArguments ?? SshArguments;
        SshExtraArguments = over.SshExtraArguments ?? SshExtraArguments;
        ConnectTimeoutSeconds = over.ConnectTimeoutSeconds ?? ConnectTimeoutSeconds;
        MaxChannels = over.MaxChannels ?? MaxChannels;
        foreach (var name in over.VarOrder)
        {
            SetVar(name, over.Vars[name]);
        }
    }

    public HostSettings Clone()
    {
        var copy = new HostSettings();
        copy.MergeFrom(this);
        return copy;
    }
}

/// <summary>Parses and checks setting values; every error names where the value was written.</summary>
internal static partial class SettingValues
{
    public const string HostKeyCheckingValues = "Default, AcceptNew, Strict";

    [GeneratedRegex(@"^\s*StrictHostKeyChecking\s*(?:=\s*|\s+)(?<value>\S*)", RegexOptions.IgnoreCase)]
    private static partial Regex StrictHostKeyCheckingOption();

    [GeneratedRegex(@"^\s*UserKnownHostsFile\s*(?:=\s*|\s+)(?<value>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex UserKnownHostsFileOption();

    public static int Port(string? text, string location, string name)
    {
        if (!int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InventoryException($"{location}: {name} {Text.Quote(text)} is not a port number. Use a whole number from 1 to 65535.");
        }

        return port;
    }

    /// <summary>The most channels Orchestrate opens on one connection: sshd's MaxSessions is 10 by default, and a
    /// connection carrying more than this is better split.</summary>
    public const int MostChannels = 64;

    public static int MaxChannels(string? text, string location)
    {
        var value = Positive(text, location, "MaxChannels");
        return value <= MostChannels
            ? value
            : throw new InventoryException(
                $"{location}: MaxChannels {value} is more than {MostChannels}, the most channels one connection carries. " +
                $"Write a number from 1 to {MostChannels} that stays under the host's sshd MaxSessions (10 by default).");
    }

    /// <summary>A host's address: text, not empty.</summary>
    public static string Address(string text, InventoryNode node, string location)
    {
        if (node is ScalarNode { NotText: true })
        {
            throw new InventoryException($"{location}: Address {text} is a number, not a host name or IP address. Write the address as text, in quotes: \"10.0.0.5\".");
        }

        var address = text.Trim();
        return address.Length > 0
            ? address
            : throw new InventoryException($"{location}: Address is empty. Write the host's name or IP address, or remove Address to use the host's name.");
    }

    /// <summary>Refuses a variable that would never be used: {host} and {address} are the host's own.</summary>
    public static void CheckVarName(string name, string location, string what)
    {
        var problem = name switch
        {
            "host" => "'host' is the host's own name in substitutions ({host})",
            "address" => "'address' is the host's own address in substitutions ({address})",
            _ => null,
        };
        if (problem is not null)
        {
            throw new InventoryException($"{location}: Vars of {what} sets {problem}, so this value would never be used. Give the variable another name.");
        }
    }

    public static int Positive(string? text, string location, string name)
    {
        if (!int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new InventoryException($"{location}: {name} {Text.Quote(text)} is not a whole number from 1 up. Write a number such as 10.");
        }

        return value;
    }

    public static HostKeyChecking HostKeyCheckingValue(string? text, string location, string name)
    {
        var value = text?.Trim() ?? string.Empty;
        if (value.Equals("Default", StringComparison.OrdinalIgnoreCase))
        {
            return Remote.HostKeyChecking.Default;
        }

        if (value.Equals("AcceptNew", StringComparison.OrdinalIgnoreCase) || value.Equals("accept-new", StringComparison.OrdinalIgnoreCase))
        {
            return Remote.HostKeyChecking.AcceptNew;
        }

        if (value.Equals("Strict", StringComparison.OrdinalIgnoreCase))
        {
            return Remote.HostKeyChecking.Strict;
        }

        if (value.ToLowerInvariant() is "no" or "off" or "false" or "none" or "disabled" or "0")
        {
            throw new InventoryException(
                $"{location}: {name} {Text.Quote(text)} would turn host key checking off, which Orchestrate never does. " +
                $"Use AcceptNew to trust a host on first contact, or add its key to a KnownHostsFile.");
        }

        throw new InventoryException($"{location}: {name} {Text.Quote(text)} is not a host key policy. Use one of {HostKeyCheckingValues}.");
    }

    /// <summary>Ansible's <c>ansible_host_key_checking</c>: true keeps the default; false is refused.</summary>
    public static HostKeyChecking AnsibleHostKeyChecking(string? text, string location, string name)
    {
        var value = text?.Trim().ToLowerInvariant();
        if (value is "true" or "yes" or "on" or "1")
        {
            return Remote.HostKeyChecking.Default;
        }

        if (value is "false" or "no" or "off" or "0")
        {
            throw new InventoryException(
                $"{location}: {name} {Text.Quote(text)} would turn host key checking off, which Orchestrate never does. " +
                "Remove it and set orchestrate_host_key_checking: AcceptNew to trust a host on first contact.");
        }

        throw new InventoryException($"{location}: {name} {Text.Quote(text)} is not true or false. Remove it, or set orchestrate_host_key_checking to one of {HostKeyCheckingValues}.");
    }

    /// <summary>
    /// A file path: <c>~</c> and <c>~/</c> start from $HOME, a relative path from <paramref name="baseDirectory"/>.
    /// </summary>
    public static string Path(string? text, string location, string name, string baseDirectory)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InventoryException($"{location}: {name} is empty. Give a file path or leave the setting out.");
        }

        var path = text.Trim();
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            var home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            return path.Length == 1 ? home : System.IO.Path.Join(home, path[2..]);
        }

        if (path.StartsWith('~'))
        {
            throw new InventoryException(
                $"{location}: {name} {Text.Quote(text)} uses another user's home directory, which is not supported. Write the full path.");
        }

        return System.IO.Path.GetFullPath(path, baseDirectory);
    }

    /// <summary>Checks SSH arguments: options that would turn host key checking off are refused.</summary>
    public static IReadOnlyList<string> SshArguments(IReadOnlyList<string> arguments, string location, string name)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            string option;
            if (argument == "-o" && i + 1 < arguments.Count)
            {
                option = arguments[i + 1];
            }
            else if (argument.StartsWith("-o", StringComparison.Ordinal))
            {
                option = argument[2..];
            }
            else
            {
                continue;
            }

            var strict = StrictHostKeyCheckingOption().Match(option);
            if (strict.Success)
            {
                var value = strict.Groups["value"].Value.Trim('"', '\'').ToLowerInvariant();
                if (value is "no" or "off" or "false")
                {
                    throw new InventoryException(
                        $"{location}: {name} holds {Text.Quote(option.Trim())}, which turns host key checking off; Orchestrate never does that silently. " +
                        "Remove it and set HostKeyChecking to AcceptNew (Ansible: orchestrate_host_key_checking: AcceptNew) to trust a host on first contact.");
                }

                throw new InventoryException(
                    $"{location}: {name} holds {Text.Quote(option.Trim())}; the host key policy is a setting of its own. " +
                    $"Remove it and set HostKeyChecking (Ansible: orchestrate_host_key_checking) to one of {HostKeyCheckingValues}.");
            }

            var knownHosts = UserKnownHostsFileOption().Match(option);
            if (knownHosts.Success && knownHosts.Groups["value"].Value.Trim().Trim('"', '\'') == "/dev/null")
            {
                throw new InventoryException(
                    $"{location}: {name} holds {Text.Quote(option.Trim())}, which forgets every host key and so turns host key checking off. " +
                    "Remove it; set KnownHostsFile (Ansible: orchestrate_known_hosts_file) to use a known_hosts file of your own.");
            }
        }

        return arguments;
    }

    /// <summary>Splits a command line into arguments as a POSIX shell would: quotes and backslashes respected.</summary>
    public static List<string> SplitShell(string text, string location, string name)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var inArgument = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inArgument)
                {
                    arguments.Add(current.ToString());
                    current.Clear();
                    inArgument = false;
                }

                continue;
            }

            inArgument = true;
            switch (c)
            {
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new InventoryException($"{location}: {name} {Text.Quote(text)} has an unclosed single quote. Close it.");
                    }

                    current.Append(text, i + 1, close - i - 1);
                    i = close;
                    break;

                case '"':
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new InventoryException($"{location}: {name} {Text.Quote(text)} has an unclosed double quote. Close it.");
                        }

                        if (text[i] == '"')
                        {
                            break;
                        }

                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }

                        current.Append(text[i]);
                        i++;
                    }

                    break;

                case '\\':
                    if (i + 1 < text.Length)
                    {
                        i++;
                        current.Append(text[i]);
                    }

                    break;

                default:
                    current.Append(c);
                    break;
            }
        }

        if (inArgument)
        {
            arguments.Add(current.ToString());
        }

        return arguments;
    }
}
