using Orchestrate.Remote;
using HostInventory = Orchestrate.Remote.Inventory.Inventory;
using InventoryException = Orchestrate.Remote.Inventory.InventoryException;

namespace Orchestrate.Tests.Remote.Inventory;

public sealed class HostPatternTests
{
    private InventoryFiles files = null!;
    private HostInventory inventory = null!;

    [OneTimeSetUp]
    public void Load()
    {
        files = new InventoryFiles();
        inventory = HostInventory.Load(files.Write("hosts.yml", """
            all:
              hosts:
                lb:
              children:
                web:
                  hosts:
                    web[1:3]:
                db:
                  hosts:
                    db1:
                    db2:
                prod:
                  children:
                    web:
                  hosts:
                    db1:
            """));
    }

    [OneTimeTearDown]
    public void Delete() => files.Dispose();

    private string[] Select(string pattern) => inventory.Select(pattern).Select(h => h.Name).ToArray();

    [TestCase("web1", new[] { "web1" })]
    [TestCase("web", new[] { "web1", "web2", "web3" })]
    [TestCase("all", new[] { "lb", "web1", "web2", "web3", "db1", "db2" })]
    [TestCase("ungrouped", new[] { "lb" })]
    [TestCase("web*", new[] { "web1", "web2", "web3" })]
    [TestCase("db?", new[] { "db1", "db2" })]
    [TestCase("*", new[] { "lb", "web1", "web2", "web3", "db1", "db2" })]
    [TestCase("db1,web1", new[] { "web1", "db1" })]
    [TestCase("db:web", new[] { "web1", "web2", "web3", "db1", "db2" })]
    [TestCase(" db1 , lb ", new[] { "lb", "db1" })]
    [TestCase("prod:!web2", new[] { "web1", "web3", "db1" })]
    [TestCase("!web2,prod", new[] { "web1", "web3", "db1" })]
    [TestCase("prod:&db", new[] { "db1" })]
    [TestCase("web*:&prod:!web[2-3]", new[] { "web1" })]
    [TestCase("!db", new[] { "lb", "web1", "web2", "web3" })]
    [TestCase("&web", new[] { "web1", "web2", "web3" })]
    [TestCase("web[1:2]", new[] { "web1", "web2" })]
    [TestCase("web[2-9]", new[] { "web2", "web3" })]
    [TestCase("~^db[0-9]$", new[] { "db1", "db2" })]
    [TestCase("web:&db", new string[0])]
    public void Select_follows_ansible_patterns_in_inventory_order(string pattern, string[] expected)
    {
        Assert.That(Select(pattern), Is.EqualTo(expected));
    }

    [Test]
    public void Limit_keeps_the_given_order_and_no_limit_keeps_everything()
    {
        var hosts = new[] { inventory.Find("db2")!, inventory.Find("web3")!, inventory.Find("web1")!, inventory.Find("lb")! };

        Assert.That(inventory.Limit(hosts, null), Is.SameAs(hosts));
        Assert.That(inventory.Limit(hosts, "web,db").Select(h => h.Name), Is.EqualTo(new[] { "db2", "web3", "web1" }));
        Assert.That(inventory.Limit(hosts, "!web1").Select(h => h.Name), Is.EqualTo(new[] { "db2", "web3", "lb" }));
        Assert.That(inventory.Limit(hosts, "db1"), Is.Empty);
    }

    [TestCase("wbe1", "--limit 'wbe1' matches no host or group. Known groups: web, db, prod. Did you mean 'web1'?")]
    [TestCase("web,dbb", "--limit 'web,dbb': 'dbb' matches no host or group. Known groups: web, db, prod. Did you mean 'db'?")]
    [TestCase("web:!Web2", "--limit 'web:!Web2': 'Web2' matches no host or group. Known groups: web, db, prod. Did you mean 'web2'?")]
    [TestCase("prod,&stage", "--limit 'prod,&stage': 'stage' matches no host or group. Known groups: web, db, prod.")]
    [TestCase("app*", "--limit 'app*' (glob) matches no host or group. Known groups: web, db, prod.")]
    [TestCase("web[7-9]", "--limit 'web[7-9]' (range) matches no host or group. Known groups: web, db, prod.")]
    [TestCase("~^x", "--limit '~^x' (regular expression) matches no host or group. Known groups: web, db, prod.")]
    [TestCase(",", "--limit ',' is empty. Give a host name, a group name or a glob such as 'web*'.")]
    [TestCase("", "--limit '' is empty. Give a host name, a group name or a glob such as 'web*'.")]
    [TestCase("  ", "--limit '  ' is empty. Give a host name, a group name or a glob such as 'web*'.")]
    [TestCase("web,!", "--limit 'web,!' has a '!' or '&' without a name after it. Write '!name' or '&name'.")]
    public void Limit_errors_name_the_part_and_suggest(string limit, string message)
    {
        var exception = Assert.Throws<InventoryException>(() => inventory.Limit(inventory.Hosts, limit));
        Assert.That(exception!.Message, Is.EqualTo(message));
    }

    [Test]
    public void A_bad_regular_expression_is_reported()
    {
        var exception = Assert.Throws<InventoryException>(() => inventory.Limit(inventory.Hosts, "~("));
        Assert.That(exception!.Message, Does.StartWith("--limit '~(': '~(' is not a valid regular expression (").And.EndWith("). Fix it."));
    }

    [Test]
    public void Select_errors_say_host_pattern_or_the_given_origin()
    {
        Assert.That(
            Assert.Throws<InventoryException>(() => inventory.Select("dbs"))!.Message,
            Is.EqualTo("Host pattern 'dbs' matches no host or group. Known groups: web, db, prod. Did you mean 'db'?"));
        Assert.That(
            Assert.Throws<InventoryException>(() => inventory.Select("webb", "[Hosts] of task 'deploy'"))!.Message,
            Is.EqualTo("[Hosts] of task 'deploy' 'webb' matches no host or group. Known groups: web, db, prod. Did you mean 'web'?"));
    }

    [Test]
    public void An_empty_group_is_not_an_error()
    {
        using var other = new InventoryFiles();
        var withEmpty = HostInventory.Load(other.Write("hosts.yml", "all:\n  hosts: {a: }\n  children:\n    spare:\n"));

        Assert.That(withEmpty.Select("spare"), Is.Empty);
        Assert.That(withEmpty.Select("all:!spare").Select(h => h.Name), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public void Substitute_replaces_host_address_and_variables()
    {
        var host = new HostSpec
        {
            Name = "web1",
            Address = "10.0.0.1",
            Vars = new Dictionary<string, string> { ["dir"] = "/srv/app", ["env"] = "prod" },
        };

        Assert.That(
            HostInventory.Substitute("rsync {dir}/ {host}:{dir}-{env} # {address} {{literal}} }}{{", host),
            Is.EqualTo("rsync /srv/app/ web1:/srv/app-prod # 10.0.0.1 {literal} }{"));
        Assert.That(HostInventory.Substitute("no braces", host), Is.EqualTo("no braces"));
        Assert.That(HostInventory.Substitute("{address}", new HostSpec { Name = "db1" }), Is.EqualTo("db1"));
    }

    [TestCase("cp {dri} /x", "'{dri}' in 'cp {dri} /x' is not known for host 'web1'. Known: {host}, {address}, {dir}, {env}; write '{{' and '}}' for literal braces. Did you mean 'dir'?")]
    [TestCase("echo {}", "'{}' in 'echo {}' is not known for host 'web1'. Known: {host}, {address}, {dir}, {env}; write '{{' and '}}' for literal braces.")]
    [TestCase("awk '{print $1}'", "'{print $1}' in 'awk '{print $1}'' is not known for host 'web1'. Known: {host}, {address}, {dir}, {env}; write '{{' and '}}' for literal braces.")]
    [TestCase("cd {dir", "'cd {dir' has a '{' without a '}' after it (at 4). Write '{{' for a literal brace.")]
    [TestCase("cd {a{dir}", "'cd {a{dir}' has a '{' without a '}' after it (at 4). Write '{{' for a literal brace.")]
    [TestCase("cd dir}", "'cd dir}' has a '}' without a '{' before it (at 7). Write '}}' for a literal brace.")]
    public void Substitute_errors(string text, string message)
    {
        var host = new HostSpec
        {
            Name = "web1",
            Vars = new Dictionary<string, string> { ["dir"] = "/srv/app", ["env"] = "prod" },
        };

        var exception = Assert.Throws<InventoryException>(() => HostInventory.Substitute(text, host));
        Assert.That(exception!.Message, Is.EqualTo(message));
    }
}
