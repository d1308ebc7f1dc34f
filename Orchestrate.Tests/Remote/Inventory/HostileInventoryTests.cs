using System.Diagnostics;
using Orchestrate.Tests.Runtime;
using HostInventory = Orchestrate.Remote.Inventory.Inventory;
using InventoryException = Orchestrate.Remote.Inventory.InventoryException;

namespace Orchestrate.Tests.Remote.Inventory;

/// <summary>Inventory values that mean nothing are errors naming the file, line and fix; values that mean something
/// do what the reference says; large inventories load in linear time.</summary>
[TestFixture]
public class HostileInventoryTests
{
    [TestCase("""{ "Hosts": { "web1": { "Address": "" } } }""", "hosts.json:1:", "Address is empty")]
    [TestCase("""{ "Hosts": { "web1": { "Address": 5 } } }""", "hosts.json:1:", "Address 5 is a number")]
    [TestCase("""{ "Hosts": { "web1": { "SshArguments": [1, 2] } } }""", "hosts.json:1:", "an SSH argument must be a string")]
    [TestCase("""{ "Hosts": { "web1": { "Vars": { "host": "other" } } } }""", "hosts.json:1:", "'host' is the host's own name")]
    [TestCase("""{ "Hosts": { "web1": { "Vars": { "address": "other" } } } }""", "hosts.json:1:", "'address' is the host's own address")]
    [TestCase("""{ "Hosts": { "web1": { "MaxChannels": 100000 } } }""", "hosts.json:1:", "MaxChannels 100000 is more than 64")]
    [TestCase("""{ "Hosts": { "web1": { "Port": 22 }, "web1": { "Port": 23 } } }""", "hosts.json:1:", "the key 'web1' is written twice")]
    [TestCase("""{ "Hosts": { "web1": { } }, "Hosts": { "web2": { } } }""", "hosts.json:1:", "the key 'Hosts' is written twice")]
    [TestCase("""{ "Hosts": { "we\nb1": { } } }""", "hosts.json:1:", "which host patterns use")]
    [TestCase("""{ "Hosts": { "web\u202e1": { } } }""", "hosts.json:1:", "holds a control, direction or '/' character")]
    [TestCase("""{ "Hosts": { "web\u001b1": { } } }""", "hosts.json:1:", "holds a control, direction or '/' character")]
    [TestCase("""{ "Hosts": { "web 1": { } } }""", "hosts.json:1:", "which host patterns use")]
    public void A_meaningless_value_is_one_line_naming_the_place(string json, string where, string what)
    {
        using var files = new InventoryFiles();
        var path = files.Write("hosts.json", json);

        var error = Assert.Throws<InventoryException>(() => HostInventory.Load(path));

        Assert.That(error!.Message, Does.Contain(where));
        Assert.That(error.Message, Does.Contain(what));
        Assert.That(error.Message, Does.Not.Contain("\n"), "one line");
    }

    [Test]
    public void A_null_setting_is_as_if_it_were_not_there()
    {
        using var files = new InventoryFiles();
        var path = files.Write("hosts.json", """
            { "Defaults": { "Port": 2222 }, "Hosts": { "web1": { "Port": null, "User": null } } }
            """);

        var host = HostInventory.Load(path).Find("web1")!;

        Assert.That(host.Port, Is.EqualTo(2222), "the default applies");
        Assert.That(host.User, Is.Null);
    }

    [Test]
    public void Nested_vars_are_their_JSON_text()
    {
        using var files = new InventoryFiles();
        var path = files.Write("hosts.json", """
            { "Hosts": { "web1": { "Vars": { "sites": ["a", "b"], "limits": { "cpu": 2 } } } } }
            """);

        var host = HostInventory.Load(path).Find("web1")!;

        Assert.That(host.Vars["sites"], Is.EqualTo("""["a","b"]"""));
        Assert.That(host.Vars["limits"], Is.EqualTo("""{"cpu":2}"""));
    }

    [Test]
    public async Task Listing_20003_hosts_of_appsettings_json_takes_about_a_second_and_escapes_what_it_prints()
    {
        using var cli = new CliHarness();
        var hosts = string.Join(",\n", Enumerable.Range(0, 20_003).Select(i => $"      \"n{i:D5}\": {{ \"Address\": \"10.0.{i / 256 % 256}.{i % 256}\" }}"));
        cli.Write("appsettings.json", $"{{\n  \"Inventory\": {{\n    \"Hosts\": {{\n{hosts},\n      \"odd\": {{ \"User\": \"a\\r\\nb\\u202e\" }}\n    }}\n  }}\n}}");

        var clock = Stopwatch.StartNew();
        var result = await cli.RunAsync("hosts");
        clock.Stop();

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(result.Lines, Has.Length.EqualTo(20_004));
        Assert.That(result.Lines, Has.Some.Contains("a\\r\\nb\\u202e@odd"), "control and direction characters are shown as escapes");
        Assert.That(result.Output.IndexOf('\u202e', StringComparison.Ordinal), Is.EqualTo(-1), "no raw direction character");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), $"{clock.Elapsed.TotalSeconds:0.00} s");
    }

    [TestCase("{ \"Inventory\": null }")]
    [TestCase("{ \"Logging\": { } }")]
    public async Task An_appsettings_inventory_that_is_null_or_absent_is_no_inventory(string json)
    {
        using var cli = new CliHarness();
        cli.Write("appsettings.json", json);

        var result = await cli.RunAsync("hosts");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Does.StartWith("error: no inventory is configured"));
    }

    [Test]
    public async Task A_mistake_in_appsettings_inventory_names_its_line()
    {
        using var cli = new CliHarness();
        cli.Write("appsettings.json", "{\n  \"Inventory\": {\n    \"Hosts\": {\n      \"web1\": { \"Port\": \"x\" }\n    }\n  }\n}");

        var result = await cli.RunAsync("hosts");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("appsettings.json:4:"));
    }

    [TestCase(2_000, "json")]
    [TestCase(100_000, "json")]
    [TestCase(100_000, "ansible.yml")]
    public void A_large_inventory_loads_in_linear_time(int count, string format)
    {
        using var files = new InventoryFiles();
        string Address(int i) => $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}";
        var path = format switch
        {
            "json" => files.Write("hosts.json", $"{{ \"Hosts\": {{\n{string.Join(",\n", Enumerable.Range(0, count).Select(i => $"  \"n{i}\": {{ \"Address\": \"{Address(i)}\" }}"))}\n}}, \"Groups\": {{ \"all2\": {{ \"Hosts\": [\"n0\", \"n1\"] }} }} }}"),
            _ => files.Write("hosts.yml", $"all:\n  children:\n    web:\n      hosts:\n{string.Join("\n", Enumerable.Range(0, count).Select(i => $"        n{i}:\n          ansible_host: {Address(i)}"))}\n"),
        };

        var clock = Stopwatch.StartNew();
        var inventory = HostInventory.Load(path);
        var hostsOf = inventory.Select("all");
        clock.Stop();

        Assert.That(hostsOf, Has.Count.EqualTo(count));
        // About a second for 100,000 hosts on the test machines (2 cores); quadratic loading took 23 s for 20,000.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(count / 100_000.0 * 4 + 1)), $"{count} hosts in {clock.Elapsed.TotalSeconds:0.00} s");
    }
}
