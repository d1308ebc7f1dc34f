using System.Collections.ObjectModel;
using Microsoft.Extensions.Configuration;

namespace Orchestrate.Remote.Inventory;

/// <summary>
/// The hosts remote steps run on, their connection settings, variables and groups.
/// </summary>
/// <remarks>
/// <para>
/// An inventory comes from the configuration (<see cref="FromConfiguration"/>: an <c>Inventory</c> section of
/// appsettings.json or environment variables) or from a file given with <c>--inventory</c> (<see cref="Load"/>:
/// the same shape as JSON, or Ansible's YAML inventory format).
/// </para>
/// <para>
/// Settings are layered as in Ansible: defaults (the group <c>all</c>) &lt; parent group &lt; child group &lt; host.
/// Groups at the same depth are applied in name order (Ansible: <c>ansible_group_priority</c> first, higher
/// later). A host written in several places is merged: settings and variables set later win, as Ansible
/// does. In Orchestrate's shape, entries with a range (<c>web[01-03]</c>) are applied before single-host
/// entries, so <c>web02</c> can override what the range says whatever the order of the keys.
/// </para>
/// <para>
/// Hosts of a file keep the order in which they are first written. Configuration does not keep the order of
/// keys, so an inventory from <see cref="FromConfiguration"/> lists hosts in natural name order (web2 before
/// web10).
/// </para>
/// </remarks>
public sealed class Inventory
{
    private readonly Dictionary<string, HostSpec> byName;

    internal Inventory(IReadOnlyList<HostSpec> hosts, IReadOnlyDictionary<string, IReadOnlyList<string>> groups, string source)
    {
        Hosts = new ReadOnlyCollection<HostSpec>(hosts.ToArray());
        Groups = groups;
        Source = source;
        byName = hosts.ToDictionary(host => host.Name, StringComparer.Ordinal);
    }

    /// <summary>An inventory without hosts.</summary>
    public static Inventory Empty { get; } = new InventoryModel("empty inventory").Build();

    /// <summary>Every host, in the order the inventory first names them.</summary>
    public IReadOnlyList<HostSpec> Hosts { get; }

    /// <summary>
    /// Every group with the names of its hosts, children's hosts included, in inventory order. Holds <c>all</c>
    /// (every host) and <c>ungrouped</c> (hosts in no other group) besides the groups written.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; }

    /// <summary>Where the inventory came from (a file path or a description of the configuration).</summary>
    public string Source { get; }

    /// <summary>The host named <paramref name="name"/> (case-sensitive), or null.</summary>
    public HostSpec? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>
    /// The hosts a pattern selects, in inventory order (see <see cref="Select(string, string)"/>).
    /// </summary>
    public IReadOnlyList<HostSpec> Select(string pattern) => Select(pattern, null);

    /// <summary>
    /// The hosts a pattern selects, in inventory order.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A pattern is made of parts joined by <c>,</c> or <c>:</c>. A part is a host name, a group name
    /// (<c>all</c> is every host), a glob over host and group names (<c>web*</c>, <c>db?</c>), a host range
    /// (<c>web[01-03]</c>, each name that exists), or <c>~regex</c> (searched in host and group names).
    /// Plain parts are joined (union); a part starting with <c>&amp;</c> keeps only hosts it also matches
    /// (intersection); a part starting with <c>!</c> removes the hosts it matches. As in Ansible, unions are
    /// taken first, then intersections, then exclusions, whatever the order written; a pattern of exclusions
    /// only starts from <c>all</c>.
    /// </para>
    /// <para>
    /// A part that names no host or group is an error (with the nearest name as a suggestion). The result may
    /// still be empty, for example when an intersection leaves nothing.
    /// </para>
    /// </remarks>
    /// <param name="pattern">The pattern, such as <c>web,db1,!web3</c> or <c>prod:&amp;web*</c>.</param>
    /// <param name="origin">What the pattern is, for error messages (default "Host pattern"; <c>--limit</c> for a limit).</param>
    /// <exception cref="InventoryException">The pattern is empty or a part names nothing.</exception>
    public IReadOnlyList<HostSpec> Select(string pattern, string? origin)
    {
        var names = HostPattern.Evaluate(this, pattern, origin ?? "Host pattern");
        return Hosts.Where(host => names.Contains(host.Name)).ToArray();
    }

    /// <summary>
    /// The hosts of <paramref name="hosts"/> that a <c>--limit</c> pattern selects, in their order;
    /// <paramref name="hosts"/> itself when there is no limit (null). One rule for every pattern: a limit given blank
    /// (<c>--limit ''</c>) or made only of separators (<c>,,,</c>) names no host, and is an error.
    /// </summary>
    /// <exception cref="InventoryException">The limit is blank, or a part of it names no host or group of this inventory.</exception>
    public IReadOnlyList<HostSpec> Limit(IReadOnlyList<HostSpec> hosts, string? limit)
    {
        if (limit is null)
        {
            return hosts;
        }

        var names = HostPattern.Evaluate(this, limit, "--limit");
        return hosts.Where(host => names.Contains(host.Name)).ToArray();
    }

    /// <summary>
    /// Reads an inventory from configuration.
    /// </summary>
    /// <remarks>
    /// <para>The section's shape (setting names are case-insensitive):</para>
    /// <code>
    /// "Inventory": {
    ///   "Defaults": { "User": "deploy", "Port": 22, "IdentityFile": "~/.ssh/id_ed25519",
    ///                 "KnownHostsFile": "known_hosts", "HostKeyChecking": "AcceptNew",
    ///                 "SshArguments": ["-o", "ProxyJump=bastion"], "ConnectTimeoutSeconds": 10,
    ///                 "MaxChannels": 8, "Vars": { "env": "prod" } },
    ///   "Hosts": {
    ///     "web[01-03]": { "Address": "10.0.0.[1-3]", "Vars": { "role": "front" } },
    ///     "db1": { "Address": "10.0.1.5", "User": "postgres" },
    ///     "cache1": null
    ///   },
    ///   "Groups": {
    ///     "web": { "Hosts": ["web[01-03]"], "Vars": { "tier": "front" } },
    ///     "db": { "Hosts": { "db2": { "Address": "10.0.1.6" } }, "User": "postgres" },
    ///     "prod": { "Children": ["web", "db"], "Hosts": ["db1"] }
    ///   }
    /// }
    /// </code>
    /// <list type="bullet">
    /// <item><c>Defaults</c>: settings of every host (the same as settings of the group <c>all</c>).</item>
    /// <item><c>Hosts</c>: host name or range → settings (or null). Settings: <c>Address</c> (default: the host
    /// name; a range in it is expanded in step with the host range), <c>Port</c>, <c>User</c>,
    /// <c>IdentityFile</c>, <c>KnownHostsFile</c> (<c>~</c> is $HOME, relative paths start from
    /// <paramref name="baseDirectory"/>), <c>HostKeyChecking</c> (Default, AcceptNew, Strict),
    /// <c>SshArguments</c> (a list, or one string split as a shell would), <c>ConnectTimeoutSeconds</c>,
    /// <c>MaxChannels</c>, <c>Vars</c> (name → value; lists and mappings become JSON text).</item>
    /// <item><c>Groups</c>: group name → the same settings except <c>Address</c>, plus <c>Hosts</c> (a list of
    /// host names or ranges defined elsewhere, or a mapping defining hosts as under <c>Hosts</c>) and
    /// <c>Children</c> (names of other groups, whose hosts join this group).</item>
    /// </list>
    /// <para>
    /// <c>StrictHostKeyChecking</c> and <c>UserKnownHostsFile=/dev/null</c> in <c>SshArguments</c> are
    /// refused: host key checking is never turned off silently; use <c>HostKeyChecking</c> and
    /// <c>KnownHostsFile</c>.
    /// </para>
    /// </remarks>
    /// <param name="section">
    /// The <c>Inventory</c> section (a missing section gives an empty inventory); given the configuration root,
    /// its <c>Inventory</c> section is read.
    /// </param>
    /// <param name="sourceDescription">Where the configuration comes from, for messages (for example "appsettings.json").</param>
    /// <param name="baseDirectory">The directory relative paths start from (the project directory); default: the current directory.</param>
    /// <exception cref="InventoryException">A setting is wrong; the message names its key path.</exception>
    public static Inventory FromConfiguration(IConfiguration section, string sourceDescription, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section is IConfigurationRoot)
        {
            section = section.GetSection("Inventory");
        }

        var root = InventoryDocument.FromConfiguration(section, sourceDescription);
        return OrchestrateInventoryReader.Read(root, sourceDescription, baseDirectory ?? Directory.GetCurrentDirectory(), sortHostsByName: true);
    }

    /// <summary>
    /// Reads an inventory file: <c>.json</c> in the shape of <see cref="FromConfiguration"/> (at the top level
    /// or under <c>"Inventory"</c>), or <c>.yml</c>/<c>.yaml</c> in Ansible's YAML inventory format.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Ansible's format: <c>all: { vars, hosts, children: { group: { hosts, vars, children } } }</c>; hosts are
    /// a mapping whose values (may be empty) are host variables; top-level keys other than <c>all</c> are
    /// groups. Variables mapped to settings: <c>ansible_host</c>/<c>ansible_ssh_host</c> → Address,
    /// <c>ansible_port</c>/<c>ansible_ssh_port</c> → Port, <c>ansible_user</c>/<c>ansible_ssh_user</c> → User,
    /// <c>ansible_ssh_private_key_file</c>/<c>ansible_private_key_file</c> → IdentityFile,
    /// <c>ansible_ssh_common_args</c> then <c>ansible_ssh_extra_args</c> → SshArguments (split as a shell
    /// would), <c>ansible_ssh_timeout</c> → ConnectTimeoutSeconds, <c>ansible_host_key_checking: false</c> →
    /// refused; and Orchestrate's own <c>orchestrate_host_key_checking</c>, <c>orchestrate_known_hosts_file</c>,
    /// <c>orchestrate_max_channels</c>, <c>orchestrate_connect_timeout</c>. Every other variable stays a variable
    /// (lists and mappings as JSON text). Relative paths start from the file's directory. Jinja templates are
    /// not evaluated.
    /// </para>
    /// </remarks>
    /// <exception cref="InventoryException">The file is missing or wrong; the message gives file:line:column.</exception>
    public static Inventory Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new InventoryException(
                $"Inventory file {Text.Quote(path)} does not exist{(Directory.Exists(fullPath) ? " (it is a directory)" : string.Empty)}. Check the --inventory path.");
        }

        var baseDirectory = Path.GetDirectoryName(fullPath)!;
        var extension = Path.GetExtension(fullPath).ToLowerInvariant();
        switch (extension)
        {
            case ".json":
                var json = InventoryDocument.FromJson(File.ReadAllBytes(fullPath), path);
                if (json is MapNode map && map.Entries.FirstOrDefault(e => e.Key.Equals("Inventory", StringComparison.OrdinalIgnoreCase)) is { } inner)
                {
                    json = inner.Value;
                }

                return OrchestrateInventoryReader.Read(json, path, baseDirectory, sortHostsByName: false);

            case ".yml" or ".yaml":
                return AnsibleInventoryReader.Read(InventoryDocument.FromYaml(File.ReadAllText(fullPath), path), path, baseDirectory);

            default:
                throw new InventoryException(
                    $"Inventory file {Text.Quote(path)} is neither .json nor .yml/.yaml. Rename it; an Ansible INI inventory can be converted with 'ansible-inventory -i {path} --list --yaml'.");
        }
    }

    /// <summary>
    /// Replaces <c>{host}</c> with the host's name, <c>{address}</c> with the address connected to, and
    /// <c>{name}</c> with the host variable <c>name</c>; <c>{{</c> and <c>}}</c> stand for literal braces.
    /// <c>{host}</c> and <c>{address}</c> mean the host's name and address even if a variable has that name.
    /// </summary>
    /// <exception cref="InventoryException">A name is not known for the host, or a brace is unmatched.</exception>
    public static string Substitute(string text, HostSpec host) => Substitution.Apply(text, host);
}
