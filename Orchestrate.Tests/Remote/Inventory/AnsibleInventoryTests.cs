using Orchestrate.Remote;
using HostInventory = Orchestrate.Remote.Inventory.Inventory;
using InventoryException = Orchestrate.Remote.Inventory.InventoryException;

namespace Orchestrate.Tests.Remote.Inventory;

public sealed class AnsibleInventoryTests
{
    private const string Yaml = """
        all:
          vars:
            ansible_user: deploy
            env: prod
            tier: base
            ansible_ssh_common_args: "-o ProxyJump=bastion -o 'SendEnv=LANG LC_*'"
          hosts:
            mail.example.com:
          children:
            web:
              vars:
                tier: web
                ansible_port: 2200
              hosts:
                web[01:05:2].example.com:
                  ansible_host: "10.0.0.[1:5:2]"
                web02.example.com:
                  ansible_port: 2222
                  ansible_ssh_extra_args: -o ServerAliveInterval=30
            db:
              vars:
                tier: db
              children:
                db_primary:
                  vars:
                    tier: primary
                  hosts:
                    db-[a:b]:
                      ansible_ssh_host: 10.0.1.1
                      ansible_ssh_port: "5022"
                      ansible_ssh_user: postgres
                      ansible_ssh_private_key_file: keys/db.pem
                      orchestrate_host_key_checking: Strict
                      orchestrate_known_hosts_file: ~/kh
                      orchestrate_max_channels: 3
                      ansible_ssh_timeout: 20
                      backup: {when: nightly, keep: 7, paths: [/var/lib, "/etc"], off: null, on: true}
                      enabled: true
        prod:
          children:
            web:
            db:
          vars:
            tier: prod
        """;

    [Test]
    public void Maps_connection_variables_groups_and_precedence()
    {
        using var files = new InventoryFiles();
        var inventory = HostInventory.Load(files.Write("hosts.yml", Yaml));

        Assert.That(inventory.Hosts.Select(h => h.Name), Is.EqualTo(new[]
        {
            "mail.example.com", "web01.example.com", "web03.example.com", "web05.example.com", "web02.example.com", "db-a", "db-b",
        }));

        var mail = inventory.Find("mail.example.com")!;
        Assert.That((mail.Address, mail.Port, mail.User), Is.EqualTo(((string?)null, (int?)null, "deploy")));
        Assert.That(mail.SshArguments, Is.EqualTo(new[] { "-o", "ProxyJump=bastion", "-o", "SendEnv=LANG LC_*" }));
        Assert.That(mail.Vars, Is.EqualTo(new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "base" }));
        Assert.That(mail.Groups, Is.Empty);

        var web03 = inventory.Find("web03.example.com")!;
        Assert.That((web03.Address, web03.Port), Is.EqualTo(("10.0.0.3", (int?)2200)));
        Assert.That(inventory.Find("web05.example.com")!.Address, Is.EqualTo("10.0.0.5"));
        Assert.That(web03.Vars["tier"], Is.EqualTo("web"), "all < prod < web (web is a child of prod)");

        var web02 = inventory.Find("web02.example.com")!;
        Assert.That(web02.Port, Is.EqualTo(2222), "host vars win over group vars");
        Assert.That(web02.Target, Is.EqualTo("web02.example.com"));
        Assert.That(web02.SshArguments, Is.EqualTo(new[] { "-o", "ProxyJump=bastion", "-o", "SendEnv=LANG LC_*", "-o", "ServerAliveInterval=30" }));

        var db = inventory.Find("db-b")!;
        Assert.That(db.Address, Is.EqualTo("10.0.1.1"));
        Assert.That(db.Port, Is.EqualTo(5022));
        Assert.That(db.User, Is.EqualTo("postgres"));
        Assert.That(db.IdentityFile, Is.EqualTo(Path.Combine(files.Directory, "keys", "db.pem")));
        Assert.That(db.KnownHostsFile, Is.EqualTo(Path.Join(InventoryFiles.Home, "kh")));
        Assert.That(db.HostKeyChecking, Is.EqualTo(HostKeyChecking.Strict));
        Assert.That(db.MaxChannels, Is.EqualTo(3));
        Assert.That(db.ConnectTimeoutSeconds, Is.EqualTo(20));
        Assert.That(db.Vars, Is.EqualTo(new Dictionary<string, string>
        {
            ["env"] = "prod",
            ["tier"] = "primary",
            ["backup"] = """{"when":"nightly","keep":7,"paths":["/var/lib","/etc"],"off":null,"on":true}""",
            ["enabled"] = "true",
        }));
        Assert.That(db.Groups, Is.EqualTo(new[] { "db", "db_primary", "prod" }));

        Assert.That(inventory.Groups.Keys, Is.EqualTo(new[] { "all", "web", "db", "db_primary", "prod", "ungrouped" }));
        Assert.That(inventory.Groups["db"], Is.EqualTo(new[] { "db-a", "db-b" }));
        Assert.That(inventory.Groups["prod"], Is.EqualTo(new[]
        {
            "web01.example.com", "web03.example.com", "web05.example.com", "web02.example.com", "db-a", "db-b",
        }));
        Assert.That(inventory.Groups["ungrouped"], Is.EqualTo(new[] { "mail.example.com" }));
        Assert.That(inventory.Source, Does.EndWith("hosts.yml"));
    }

    [Test]
    public void Top_level_groups_without_all()
    {
        using var files = new InventoryFiles();
        var inventory = HostInventory.Load(files.Write("hosts.yaml", """
            web:
              hosts:
                w1:
                w2:
            db:
              hosts:
                d1:
            """));

        Assert.That(inventory.Groups["all"], Is.EqualTo(new[] { "w1", "w2", "d1" }));
        Assert.That(inventory.Groups["web"], Is.EqualTo(new[] { "w1", "w2" }));
        Assert.That(inventory.Groups["ungrouped"], Is.Empty);
    }

    [Test]
    public void A_host_written_twice_is_merged_and_later_wins()
    {
        using var files = new InventoryFiles();
        var inventory = HostInventory.Load(files.Write("hosts.yml", """
            all:
              children:
                a:
                  hosts:
                    h1: {x: "1", y: "1", ansible_host: 10.0.0.1}
                b:
                  hosts:
                    h1: {y: "2", ansible_host: 10.0.0.9}
            """));

        var h1 = inventory.Find("h1")!;
        Assert.That(h1.Address, Is.EqualTo("10.0.0.9"));
        Assert.That(h1.Vars, Is.EqualTo(new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" }));
        Assert.That(h1.Groups, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Same_depth_groups_merge_in_name_order_unless_a_priority_says_otherwise()
    {
        using var files = new InventoryFiles();
        var inventory = HostInventory.Load(files.Write("hosts.yml", """
            zeta:
              hosts: {h1: }
              vars: {v: zeta}
            alpha:
              hosts: {h1: , h2: }
              vars: {v: alpha, ansible_group_priority: 5}
            beta:
              hosts: {h2: }
              vars: {v: beta}
            """));

        Assert.That(inventory.Find("h1")!.Vars["v"], Is.EqualTo("alpha"), "priority 5 merges after zeta's 1");
        Assert.That(inventory.Find("h2")!.Vars["v"], Is.EqualTo("alpha"));
        Assert.That(inventory.Find("h1")!.Vars.ContainsKey("ansible_group_priority"), Is.False);
    }

    [Test]
    public void Anchors_and_merge_keys_work()
    {
        using var files = new InventoryFiles();
        var inventory = HostInventory.Load(files.Write("hosts.yml", """
            all:
              hosts:
                h1: &base {ansible_user: ops, role: app}
                h2:
                  <<: *base
                  role: worker
            """));

        Assert.That(inventory.Find("h2")!.User, Is.EqualTo("ops"));
        Assert.That(inventory.Find("h2")!.Vars["role"], Is.EqualTo("worker"));
    }

    [Test]
    public void Json_file_at_top_level_or_under_Inventory_keeps_file_order()
    {
        using var files = new InventoryFiles();
        var top = HostInventory.Load(files.Write("top.json", """
            { "Hosts": { "zz": null, "web[9-11]": { "Address": "10.0.0.[9-11]" }, "aa": { "Port": 2022 } },
              "Groups": { "web": { "Hosts": ["web[9-11]"] } } }
            """));
        var nested = HostInventory.Load(files.Write("nested.json", """
            { "Inventory": { "Hosts": { "zz": null, "web[9-11]": { "Address": "10.0.0.[9-11]" }, "aa": { "Port": 2022 } } } }
            """));

        Assert.That(top.Hosts.Select(h => h.Name), Is.EqualTo(new[] { "zz", "web9", "web10", "web11", "aa" }));
        Assert.That(nested.Hosts.Select(h => h.Name), Is.EqualTo(new[] { "zz", "web9", "web10", "web11", "aa" }));
        Assert.That(top.Find("web11")!.Address, Is.EqualTo("10.0.0.11"));
        Assert.That(top.Groups["web"], Is.EqualTo(new[] { "web9", "web10", "web11" }));
    }

    [TestCase("h[1-3]", new[] { "h1", "h2", "h3" })]
    [TestCase("h[1:3]", new[] { "h1", "h2", "h3" })]
    [TestCase("h[08:11]", new[] { "h08", "h09", "h10", "h11" })]
    [TestCase("h[8:11]", new[] { "h8", "h9", "h10", "h11" })]
    [TestCase("h[001:010:4]", new[] { "h001", "h005", "h009" })]
    [TestCase("node[1-2].lab", new[] { "node1.lab", "node2.lab" })]
    [TestCase("db-[a:c]", new[] { "db-a", "db-b", "db-c" })]
    [TestCase("db-[A-E:2]", new[] { "db-A", "db-C", "db-E" })]
    [TestCase("r[1-2]n[a-b]", new[] { "r1na", "r1nb", "r2na", "r2nb" })]
    [TestCase("single", new[] { "single" })]
    public void Ranges_expand(string entry, string[] names)
    {
        using var files = new InventoryFiles();
        var inventory = HostInventory.Load(files.Write("hosts.yml", $"all:\n  hosts:\n    \"{entry}\":\n"));
        Assert.That(inventory.Hosts.Select(h => h.Name), Is.EqualTo(names));
    }

    [TestCase("all:\n  hosts:\n    web1:\n      ansible_port: ssh\n",
        "hosts.yml:4:21: ansible_port 'ssh' is not a port number. Use a whole number from 1 to 65535.")]
    [TestCase("all:\n  hosts:\n    web[5:1]:\n",
        "hosts.yml:3:5: the range '[5:1]' in 'web[5:1]' runs backwards; write the lower bound first, as in [1-5].")]
    [TestCase("all:\n  hosts:\n    web[1:4:0]:\n",
        "hosts.yml:3:5: the step of '[1:4:0]' in 'web[1:4:0]' must be a whole number from 1 up; write [01-20], [01:20], [a-c] or [01:20:2].")]
    [TestCase("all:\n  hosts:\n    web[a-3]:\n",
        "hosts.yml:3:5: '[a-3]' in 'web[a-3]' mixes a number and a letter; write [01-20], [01:20], [a-c] or [01:20:2].")]
    [TestCase("all:\n  hosts:\n    web1:\n      ansible_ssh_common_args: -o StrictHostKeyChecking=no\n",
        "hosts.yml:4:32: ansible_ssh_common_args holds 'StrictHostKeyChecking=no', which turns host key checking off; Orchestrate never does that silently. Remove it and set HostKeyChecking to AcceptNew (Ansible: orchestrate_host_key_checking: AcceptNew) to trust a host on first contact.")]
    [TestCase("all:\n  vars:\n    ansible_ssh_extra_args: \"-o 'StrictHostKeyChecking no'\"\n",
        "hosts.yml:3:29: ansible_ssh_extra_args holds 'StrictHostKeyChecking no', which turns host key checking off; Orchestrate never does that silently. Remove it and set HostKeyChecking to AcceptNew (Ansible: orchestrate_host_key_checking: AcceptNew) to trust a host on first contact.")]
    [TestCase("all:\n  vars:\n    ansible_host_key_checking: false\n",
        "hosts.yml:3:32: ansible_host_key_checking 'false' would turn host key checking off, which Orchestrate never does. Remove it and set orchestrate_host_key_checking: AcceptNew to trust a host on first contact.")]
    [TestCase("all:\n  vars:\n    orchestrate_host_key_checking: Maybe\n",
        "hosts.yml:3:36: orchestrate_host_key_checking 'Maybe' is not a host key policy. Use one of Default, AcceptNew, Strict.")]
    [TestCase("all:\n  hosts:\n    web1:\n      ansible_host: \"{{ lookup('env', 'IP') }}\"\n",
        "hosts.yml:4:21: ansible_host '{{ lookup('env', 'IP') }}' is a Jinja template; Orchestrate does not evaluate templates. Write the value itself.")]
    [TestCase("all:\n  hosts:\n    web[1:3]:\n      ansible_host: 10.0.0.[1:2]\n",
        "hosts.yml:4:7: the address '10.0.0.[1:2]' gives 2 addresses for the 3 hosts of 'web[1:3]'. Make both ranges the same length.")]
    [TestCase("all:\n  childrn:\n    web:\n",
        "hosts.yml:2:3: 'childrn' is not a key of an Ansible group. Use hosts, vars or children. Did you mean 'children'?")]
    [TestCase("all:\n  hosts:\n    - web1\n    - web2\n",
        "hosts.yml:3:5: the hosts of group 'all' are a list; Ansible writes them as a mapping. Write each host as 'name:' on its own line.")]
    [TestCase("all:\n  hosts:\n    web1: 10.0.0.1\n",
        "hosts.yml:3:11: the variables of host 'web1' must be a mapping, not the value '10.0.0.1'. Write 'name: value' lines under the host.")]
    [TestCase("all:\n  hosts:\n    web1:\n    web1:\n",
        "hosts.yml:4:5: the key 'web1' is written twice in the same mapping (first on line 3). Keep one of them.")]
    [TestCase("all:\n  hosts:\n    web1:\n   bad: [\n",
        "hosts.yml:4:4: the file is not valid YAML: While parsing a block mapping, did not find expected key. Fix the YAML syntax there.")]
    [TestCase("a:\n  children:\n    b:\n      children:\n        a:\n",
        "hosts.yml:1:1: groups contain each other in a loop (a -> b -> a). Remove one of these children.")]
    [TestCase("web:\n  children:\n    all:\n",
        "hosts.yml:3:5: group 'all' cannot be a child of 'web'; every group is already under 'all'. Remove it.")]
    [TestCase("all:\n  hosts:\n    \"web 1\":\n",
        "hosts.yml:3:5: the host name 'web 1' contains ' ', which host patterns use. Use letters, digits, '.', '-' and '_' in host names.")]
    [TestCase("all:\n  children:\n    web,db:\n",
        "hosts.yml:3:5: the group name 'web,db' contains ',', which host patterns use. Use letters, digits, '.', '-' and '_' in group names.")]
    [TestCase("all:\n  vars:\n    ansible_ssh_common_args: -o 'ProxyJump=x\n",
        "hosts.yml:3:30: ansible_ssh_common_args '-o 'ProxyJump=x' has an unclosed single quote. Close it.")]
    public void Errors_give_file_line_and_column(string yaml, string message)
    {
        using var files = new InventoryFiles();
        var path = files.Write("hosts.yml", yaml);
        var exception = Assert.Throws<InventoryException>(() => HostInventory.Load(path));
        Assert.That(exception!.Message, Is.EqualTo(path[..^"hosts.yml".Length] + message));
        Assert.That(exception.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void File_errors()
    {
        using var files = new InventoryFiles();
        var missing = Path.Combine(files.Directory, "nope.yml");
        Assert.That(
            Assert.Throws<InventoryException>(() => HostInventory.Load(missing))!.Message,
            Is.EqualTo($"Inventory file '{missing}' does not exist. Check the --inventory path."));

        var ini = files.Write("hosts.ini", "[web]\nweb1\n");
        Assert.That(
            Assert.Throws<InventoryException>(() => HostInventory.Load(ini))!.Message,
            Is.EqualTo($"Inventory file '{ini}' is neither .json nor .yml/.yaml. Rename it; an Ansible INI inventory can be converted with 'ansible-inventory -i {ini} --list --yaml'."));

        var json = files.Write("bad.json", "{\n  \"Hosts\": {\n    \"web1\": { \"Port\": \"x\" }\n  }\n}\n");
        Assert.That(
            Assert.Throws<InventoryException>(() => HostInventory.Load(json))!.Message,
            Is.EqualTo($"{json}:3:23: Port 'x' is not a port number. Use a whole number from 1 to 65535."));

        var broken = files.Write("broken.json", "{\n  \"Hosts\": {\n    \"web1\" { }\n  }\n}\n");
        Assert.That(
            Assert.Throws<InventoryException>(() => HostInventory.Load(broken))!.Message,
            Does.StartWith($"{broken}:3:12: the file is not valid JSON: ").And.EndWith(". Fix the JSON syntax there."));

        var twice = files.Write("twice.json", "{ \"Hosts\": {\n  \"web1\": null,\n  \"web1\": {} } }");
        Assert.That(
            Assert.Throws<InventoryException>(() => HostInventory.Load(twice))!.Message,
            Is.EqualTo($"{twice}:3:3: the key 'web1' is written twice in the same object (first on line 2). Keep one of them."));

        var empty = HostInventory.Load(files.Write("empty.yml", "# nothing yet\n"));
        Assert.That(empty.Hosts, Is.Empty);
    }
}
