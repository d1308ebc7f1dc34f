using Microsoft.Extensions.Configuration;
using Orchestrate.Remote;
using HostInventory = Orchestrate.Remote.Inventory.Inventory;
using InventoryException = Orchestrate.Remote.Inventory.InventoryException;

namespace Orchestrate.Tests.Remote.Inventory;

public sealed class ConfigurationInventoryTests
{
    private const string AppSettings = """
        {
          // Comments are allowed, as in any appsettings.json.
          "Logging": { "LogLevel": { "Default": "Information" } },
          "Inventory": {
            "Defaults": {
              "User": "deploy", "Port": 22, "IdentityFile": "~/.ssh/id_ed25519", "KnownHostsFile": "keys/known_hosts",
              "HostKeyChecking": "AcceptNew", "SshArguments": ["-o", "ProxyJump=bastion"],
              "ConnectTimeoutSeconds": 5, "MaxChannels": 4, "Vars": { "env": "prod", "region": "eu" }
            },
            "Hosts": {
              "web[01-03]": { "Address": "10.0.0.[1-3]", "Vars": { "role": "front" } },
              "web02": { "Port": 2222 },
              "db1": { "Address": "10.0.1.5", "User": "postgres", "Vars": { "ports": [5432, 5433] } },
              "cache1": null
            },
            "Groups": {
              "web": { "Hosts": ["web[01-03]"], "Vars": { "tier": "front", "region": "us" } },
              "db": { "Hosts": { "db2": { "Address": "10.0.1.6" } }, "MaxChannels": 2 },
              "prod": { "Children": ["web", "db"], "Hosts": ["db1"], "Vars": { "tier": "any", "region": "ap" } }
            }
          }
        }
        """;

    private static HostInventory FromJson(InventoryFiles files, string json, IDictionary<string, string?>? overrides = null)
    {
        files.Write("appsettings.json", json);
        var configuration = new ConfigurationBuilder()
            .SetBasePath(files.Directory)
            .AddJsonFile("appsettings.json")
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
        return HostInventory.FromConfiguration(configuration.GetSection("Inventory"), "appsettings.json", files.Directory);
    }

    [Test]
    public void Reads_defaults_hosts_ranges_and_groups()
    {
        using var files = new InventoryFiles();
        var inventory = FromJson(files, AppSettings);

        // Configuration does not keep key order: hosts come in natural name order.
        Assert.That(inventory.Hosts.Select(h => h.Name), Is.EqualTo(new[] { "cache1", "db1", "db2", "web01", "web02", "web03" }));

        var web01 = inventory.Find("web01")!;
        Assert.That(web01.Address, Is.EqualTo("10.0.0.1"));
        Assert.That(web01.Port, Is.EqualTo(22));
        Assert.That(web01.User, Is.EqualTo("deploy"));
        Assert.That(web01.IdentityFile, Is.EqualTo(Path.Join(InventoryFiles.Home, ".ssh/id_ed25519")));
        Assert.That(web01.KnownHostsFile, Is.EqualTo(Path.Combine(files.Directory, "keys", "known_hosts")));
        Assert.That(web01.HostKeyChecking, Is.EqualTo(HostKeyChecking.AcceptNew));
        Assert.That(web01.SshArguments, Is.EqualTo(new[] { "-o", "ProxyJump=bastion" }));
        Assert.That(web01.ConnectTimeoutSeconds, Is.EqualTo(5));
        Assert.That(web01.MaxChannels, Is.EqualTo(4));

        // Defaults < prod (parent) < web (child) < host.
        Assert.That(web01.Vars, Is.EqualTo(new Dictionary<string, string>
        {
            ["env"] = "prod", ["region"] = "us", ["tier"] = "front", ["role"] = "front",
        }));
        Assert.That(web01.Groups, Is.EquivalentTo(new[] { "web", "prod" }));

        // A single-host entry wins over the range entry, whatever the key order.
        var web02 = inventory.Find("web02")!;
        Assert.That((web02.Address, web02.Port), Is.EqualTo(("10.0.0.2", (int?)2222)));
        Assert.That(inventory.Find("web03")!.Address, Is.EqualTo("10.0.0.3"));

        var db1 = inventory.Find("db1")!;
        Assert.That((db1.Address, db1.User, db1.MaxChannels), Is.EqualTo(("10.0.1.5", "postgres", 4)));
        Assert.That(db1.Vars["tier"], Is.EqualTo("any"));
        Assert.That(db1.Vars["region"], Is.EqualTo("ap"));
        Assert.That(db1.Vars["ports"], Is.EqualTo("[5432,5433]"));

        var db2 = inventory.Find("db2")!;
        Assert.That((db2.Address, db2.MaxChannels), Is.EqualTo(("10.0.1.6", 2)));
        Assert.That(db2.Groups, Is.EquivalentTo(new[] { "db", "prod" }));

        var cache1 = inventory.Find("cache1")!;
        Assert.That(cache1.Address, Is.Null);
        Assert.That(cache1.Target, Is.EqualTo("cache1"));
        Assert.That(cache1.Groups, Is.Empty);

        Assert.That(inventory.Groups["all"], Is.EqualTo(inventory.Hosts.Select(h => h.Name)));
        Assert.That(inventory.Groups["web"], Is.EqualTo(new[] { "web01", "web02", "web03" }));
        Assert.That(inventory.Groups["db"], Is.EqualTo(new[] { "db2" }));
        Assert.That(inventory.Groups["prod"], Is.EqualTo(new[] { "db1", "db2", "web01", "web02", "web03" }));
        Assert.That(inventory.Groups["ungrouped"], Is.EqualTo(new[] { "cache1" }));
        Assert.That(inventory.Find("nope"), Is.Null);
    }

    [Test]
    public void Environment_overrides_are_read_like_the_file()
    {
        using var files = new InventoryFiles();
        var inventory = FromJson(files, AppSettings, new Dictionary<string, string?>
        {
            ["Inventory:Hosts:db1:Port"] = "6543",
            ["Inventory:Hosts:db1:SshArguments"] = "-o 'ProxyCommand=ssh -W %h:%p jump' -4",
        });

        var db1 = inventory.Find("db1")!;
        Assert.That(db1.Port, Is.EqualTo(6543));
        Assert.That(db1.SshArguments, Is.EqualTo(new[] { "-o", "ProxyCommand=ssh -W %h:%p jump", "-4" }));
    }

    [Test]
    public void A_missing_section_is_an_empty_inventory()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        var inventory = HostInventory.FromConfiguration(configuration.GetSection("Inventory"), "appsettings.json");

        Assert.That(inventory.Hosts, Is.Empty);
        Assert.That(inventory.Groups["all"], Is.Empty);
        Assert.That(HostInventory.Empty.Hosts, Is.Empty);
    }

    [Test]
    public void The_configuration_root_reads_its_Inventory_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Inventory:Hosts:web10"] = null,
            ["Inventory:Hosts:web9:Port"] = "2022",
        }).Build();
        var inventory = HostInventory.FromConfiguration(configuration, "environment");

        Assert.That(inventory.Hosts.Select(h => (h.Name, h.Port)), Is.EqualTo(new[] { ("web9", (int?)2022), ("web10", null) }));
    }

    [TestCase("Inventory:Hosts:db1:Port", "abc",
        "Inventory:Hosts:db1:Port in appsettings.json: Port 'abc' is not a port number. Use a whole number from 1 to 65535.")]
    [TestCase("Inventory:Hosts:db1:Port", "70000",
        "Inventory:Hosts:db1:Port in appsettings.json: Port '70000' is not a port number. Use a whole number from 1 to 65535.")]
    [TestCase("Inventory:Defaults:HostKeyChecking", "Sometimes",
        "Inventory:Defaults:HostKeyChecking in appsettings.json: HostKeyChecking 'Sometimes' is not a host key policy. Use one of Default, AcceptNew, Strict.")]
    [TestCase("Inventory:Defaults:HostKeyChecking", "no",
        "Inventory:Defaults:HostKeyChecking in appsettings.json: HostKeyChecking 'no' would turn host key checking off, which Orchestrate never does. Use AcceptNew to trust a host on first contact, or add its key to a KnownHostsFile.")]
    [TestCase("Inventory:Defaults:SshArguments:1", "StrictHostKeyChecking=no",
        "Inventory:Defaults:SshArguments in appsettings.json: SshArguments holds 'StrictHostKeyChecking=no', which turns host key checking off; Orchestrate never does that silently. Remove it and set HostKeyChecking to AcceptNew (Ansible: orchestrate_host_key_checking: AcceptNew) to trust a host on first contact.")]
    [TestCase("Inventory:Hosts:db1:SshArguments", "-oUserKnownHostsFile=/dev/null",
        "Inventory:Hosts:db1:SshArguments in appsettings.json: SshArguments holds 'UserKnownHostsFile=/dev/null', which forgets every host key and so turns host key checking off. Remove it; set KnownHostsFile (Ansible: orchestrate_known_hosts_file) to use a known_hosts file of your own.")]
    [TestCase("Inventory:Hosts:db1:SshArguments", "-o StrictHostKeyChecking=yes",
        "Inventory:Hosts:db1:SshArguments in appsettings.json: SshArguments holds 'StrictHostKeyChecking=yes'; the host key policy is a setting of its own. Remove it and set HostKeyChecking (Ansible: orchestrate_host_key_checking) to one of Default, AcceptNew, Strict.")]
    [TestCase("Inventory:Hosts:db1:Adress", "10.0.0.1",
        "Inventory:Hosts:db1:Adress in appsettings.json: 'Adress' is not a setting of host 'db1'. Use Address, Port, User, IdentityFile, KnownHostsFile, HostKeyChecking, SshArguments, ConnectTimeoutSeconds, MaxChannels, Vars. Did you mean 'Address'?")]
    [TestCase("Inventory:Groups:web:Address", "10.0.0.1",
        "Inventory:Groups:web:Address in appsettings.json: group 'web' sets Address, which belongs to one host. Move it to the host's entry under Hosts.")]
    [TestCase("Inventory:Groups:prod:Children:2", "webb",
        "Inventory:Groups:prod:Children:2 in appsettings.json: group 'prod' has child 'webb', which is not a group. Define it under Groups or fix the name (groups: db, prod, web). Did you mean 'web'?")]
    [TestCase("Inventory:Groups:web:Hosts:1", "web04",
        "Inventory:Groups:web:Hosts:1 in appsettings.json: group 'web' lists host 'web04', which is not defined. Add it under Hosts or fix the name. Did you mean 'web01'?")]
    [TestCase("Inventory:Hosts:app[5-1]:User", "x",
        "Inventory:Hosts:app[5-1] in appsettings.json: the range '[5-1]' in 'app[5-1]' runs backwards; write the lower bound first, as in [1-5].")]
    [TestCase("Inventory:Hosts:app[01-100]:User", "x",
        "Inventory:Hosts:app[01-100] in appsettings.json: the bounds of '[01-100]' in 'app[01-100]' are zero-padded to different widths; give both the same width, as in [001-100].")]
    [TestCase("Inventory:Hosts:app[x]:User", "x",
        "Inventory:Hosts:app[x] in appsettings.json: '[x]' in 'app[x]' is not a host range; write [01-20], [01:20], [a-c] or [01:20:2].")]
    [TestCase("Inventory:Hosts:web[01-03]:Address", "10.0.0.[1-2]",
        "Inventory:Hosts:web[01-03] in appsettings.json: the address '10.0.0.[1-2]' gives 2 addresses for the 3 hosts of 'web[01-03]'. Make both ranges the same length.")]
    [TestCase("Inventory:Defaults:MaxChannels", "0",
        "Inventory:Defaults:MaxChannels in appsettings.json: MaxChannels '0' is not a whole number from 1 up. Write a number such as 10.")]
    [TestCase("Inventory:Defaults:IdentityFile", "~bob/key",
        "Inventory:Defaults:IdentityFile in appsettings.json: IdentityFile '~bob/key' uses another user's home directory, which is not supported. Write the full path.")]
    [TestCase("Inventory:Hostz:x", "1",
        "Inventory:Hostz in appsettings.json: 'Hostz' is not a section of the inventory. Use Defaults, Hosts, Groups. Did you mean 'Hosts'?")]
    [TestCase("Inventory:Groups:web:Children:0", "prod",
        "Inventory:Groups:prod in appsettings.json: groups contain each other in a loop (prod -> web -> prod). Remove one of these children.")]
    public void Errors_name_the_key_and_the_fix(string key, string value, string message)
    {
        using var files = new InventoryFiles();
        var exception = Assert.Throws<InventoryException>(() => FromJson(files, AppSettings, new Dictionary<string, string?> { [key] = value }));
        Assert.That(exception!.Message, Is.EqualTo(message));
        Assert.That(exception.Message, Does.Not.Contain('\n'));
    }
}
