using System.Diagnostics;
using System.Text.Json;
using Orchestrate.Remote.Testbed;
using Orchestrate.Tests.EndToEnd;
using Orchestrate.Tests.Remote.Testbed;

namespace Orchestrate.Tests.Samples;

/// <summary>
/// The WebFleet sample (samples/WebFleet), built once and run as a user runs it, on three real sshd hosts: a web
/// server runtime installed on every host as a remote task sequence, a sub sequence per site and host, and a report
/// built from the fetched logs.
/// </summary>
[TestFixture]
[NonParallelizable]
public class WebFleetSampleTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(3);

    // Host names of their own: the loopback hosts share one home directory with other runs of the sample.
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private LoopbackTestbed _testbed = null!;
    private string _program = null!;
    private string _sample = null!;
    private string _project = null!;

    private string[] Hosts => [$"web1-{_tag}", $"web2-{_tag}", $"web3-{_tag}"];

    [OneTimeSetUp]
    public async Task BuildSampleAndStartHosts()
    {
        _testbed = await TestbedFixture.StartOrIgnoreAsync(3);
        var repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "Orchestrate.sln")))
        {
            repository = Path.GetDirectoryName(repository) ?? throw new InvalidOperationException("Orchestrate.sln not found above the test assembly");
        }

        _sample = Path.Combine(repository, "samples", "WebFleet");
        var output = Path.Combine(Path.GetTempPath(), $"webfleet-build-{_tag}");
        var (code, log) = await Shell.RunAsync("dotnet", ["build", Path.Combine(_sample, "WebFleet.csproj"), "-v", "q", "-nologo", "-o", output], repository, RunLimit);
        Assert.That(code, Is.EqualTo(0), log);
        _program = Path.Combine(output, "WebFleet.dll");
    }

    [OneTimeTearDown]
    public async Task StopHosts()
    {
        if (_testbed is not null)
        {
            await _testbed.DisposeAsync();
        }

        Directory.Delete(Path.Combine(Path.GetTempPath(), $"webfleet-build-{_tag}"), recursive: true);
    }

    [SetUp]
    public void CopySample()
    {
        // A fresh copy of the sample's files per test (its sources are built already): state, out/ and edits stay there.
        _project = Path.Combine(Path.GetTempPath(), $"webfleet-{_tag}-{Guid.NewGuid():N}");
        foreach (var folder in new[] { "templates", "server", "sites" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(_sample, folder), "*", SearchOption.AllDirectories))
            {
                var copy = Path.Combine(_project, Path.GetRelativePath(_sample, file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }
        }

        WriteInventory(new Dictionary<string, string>());
    }

    [TearDown]
    public async Task RemoveProjectAndRemoteFiles()
    {
        Directory.Delete(_project, recursive: true);
        await TestbedFixture.SshAsync(_testbed, _testbed.Hosts[0], "rm -rf " + string.Join(' ', Hosts.Select(h => $"webfleet/{h}")));
    }

    [Test]
    public async Task A_full_run_installs_the_server_publishes_every_site_on_every_host_and_reports_them_leaving_nothing_running()
    {
        var (code, output) = await RunAsync();

        Assert.That(code, Is.EqualTo(0), output);
        var report = File.ReadAllText(Path.Combine(_project, "out", "report.md"));
        foreach (var host in Hosts)
        {
            foreach (var site in new[] { "blog", "docs", "shop" })
            {
                Assert.That(report, Does.Contain($"| {host} | {site} | 1 | 200 |"), report);
                Assert.That(output, Does.Contain($"web-server:{host}::site:{site}::remote_steps | {site} is served by {host}"));
            }

            Assert.That(output, Does.Match($@"web-server:{host}::site:blog::remote_steps +\| GET http://127\.0\.0\.\d:\d+/blog/ -> 200"), "the page was asked for on the host's own address");
            Assert.That(File.ReadAllText(Path.Combine(_project, "out", host, "server.conf")), Does.Contain($"name = {host}"), "the local step pre rendered each host's configuration");
            Assert.That(output, Does.Contain($"web-server:{host}::local_post").And.Contain($"{host}: the server started 1 times and stopped 1 times"));
        }

        Assert.That(StartedBefore(output, $"ok web-server:{Hosts[1]}::fetch_file:server.log", $"-> web-server:{Hosts[1]}::site:docs::ship_file:sites/docs/**"), Is.True,
            "a host's sites are published after its web server sequence");
        Assert.That(ServerProcesses(), Is.Empty, "the steps stop every server they start");
    }

    [Test]
    public async Task A_second_run_runs_nothing()
    {
        var (firstCode, first) = await RunAsync();
        var (code, output) = await RunAsync();

        Assert.That(firstCode, Is.EqualTo(0), first);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Not.Contain("->"), output);
        Assert.That(output, Does.Contain("done: 46 tasks").And.Contain("46 up to date"));
        Assert.That(output, Does.Contain($"-- web-server:{Hosts[2]}::site:shop::fetch_file:shop.log (up to date)"));
    }

    [Test]
    public async Task Changing_one_site_file_reships_only_that_file_and_reruns_only_what_follows_it_on_every_host()
    {
        var (firstCode, first) = await RunAsync();
        File.AppendAllText(Path.Combine(_project, "sites", "blog", "style.css"), "h1 { color: teal; }\n");
        var (code, output) = await RunAsync();

        Assert.That(firstCode, Is.EqualTo(0), first);
        Assert.That(code, Is.EqualTo(0), output);
        foreach (var host in Hosts)
        {
            Assert.That(output, Does.Contain($"web-server:{host}::site:blog::ship_file:sites/blog/** | ship: sent 1 of 2 files (style.css)"));
            Assert.That(output, Does.Contain($"-> web-server:{host}::site:blog::remote_steps (web-server:{host}::site:blog::ship_file:sites/blog/** changed)"));
            Assert.That(output, Does.Contain($"-> web-server:{host}::site:blog::fetch_file:blog.log (web-server:{host}::site:blog::remote_steps changed)"));
            Assert.That(output, Does.Contain($"-- web-server:{host}::site:docs::remote_steps (up to date)"));
            Assert.That(output, Does.Contain($"-- web-server:{host}::remote_steps (up to date)"), "the web server sequence before it does not run again");
            Assert.That(output, Does.Contain($"-- web-server:{host}::local_pre (up to date)"));
            Assert.That(File.ReadAllText(Path.Combine(_project, "out", host, "logs", "blog.log")), Does.Contain("\"GET /blog/\" 200").And.Match("(?s)GET /blog/.*GET /blog/"));
        }

        Assert.That(output, Does.Contain("-> report ("));
        Assert.That(output, Does.Contain("done: 46 tasks").And.Contain("10 succeeded, 36 up to date"), "per host: the ship, steps and fetch of blog; and the report");
        Assert.That(File.ReadAllText(Path.Combine(_project, "out", "report.md")), Does.Contain($"| {Hosts[0]} | blog | 2 | 200 |"));
    }

    [Test]
    public async Task One_site_failing_on_one_host_leaves_the_other_sites_and_hosts_done()
    {
        // web2 also serves "wiki", which has no files to publish: its page is not found there.
        WriteInventory(new Dictionary<string, string> { [Hosts[1]] = "blog,wiki,docs" });

        var (code, output) = await RunAsync("-k");

        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"FAILED web-server:{Hosts[1]}::site:wiki::remote_steps"));
        Assert.That(output, Does.Match($@"GET http://127\.0\.0\.3:\d+/wiki/ -> 404"));
        foreach (var host in Hosts)
        {
            foreach (var site in new[] { "blog", "docs" })
            {
                Assert.That(output, Does.Contain($"ok web-server:{host}::site:{site}::fetch_file:{site}.log"));
            }
        }

        Assert.That(output, Does.Contain($"ok web-server:{Hosts[0]}::site:shop::fetch_file:shop.log"));
        Assert.That(output, Does.Not.Contain($"{Hosts[1]}::site:shop"), "web2 serves the sites its variable names");
        Assert.That(output, Does.Not.Contain("-> report"), "the report needs every host's sequences");
        Assert.That(output, Does.Match($@"  {Hosts[1]} +ran=\d+ up-to-date=0 failed=1"));
        Assert.That(ServerProcesses(), Is.Empty, "a failed check stops its server too");
    }

    private static bool StartedBefore(string output, string earlier, string later)
    {
        var lines = output.Split('\n').ToList();
        int first = lines.FindIndex(l => l.StartsWith(earlier, StringComparison.Ordinal));
        int second = lines.FindIndex(l => l.StartsWith(later, StringComparison.Ordinal));
        return first >= 0 && second > first;
    }

    [Test]
    public async Task With_no_inventory_it_starts_its_own_three_loopback_hosts_says_so_and_publishes_every_site()
    {
        // As a user runs it on a fresh machine: no --inventory, no appsettings.json. The hosts it starts are named
        // web1-web3 (not this fixture's tagged names): their files on the shared test user's home are removed after.
        try
        {
            var (code, output) = await Shell.RunAsync("dotnet", [_program, "-C", _project, "--no-color"], _project, RunLimit);

            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(output, Does.Match(@"note: no inventory is configured: using 3 loopback test hosts started for this run \(web1 = 127\.0\.0\.\d+:\d+, web2 = "));
            var report = File.ReadAllText(Path.Combine(_project, "out", "report.md"));
            foreach (var host in new[] { "web1", "web2", "web3" })
            {
                Assert.That(report, Does.Contain($"| {host} | shop | 1 | 200 |"), report);
            }
        }
        finally
        {
            await TestbedFixture.SshAsync(_testbed, _testbed.Hosts[0], "rm -rf webfleet/web1 webfleet/web2 webfleet/web3");
        }
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] args) =>
        Shell.RunAsync("dotnet", [_program, "-C", _project, "--inventory", Path.Combine(_project, "inventory.json"), "--no-color", .. args], _project, RunLimit);

    /// <summary>The testbed's hosts as the sample's group "web", as a user's inventory file; <paramref name="sites"/> sets a host's "sites" variable.</summary>
    private void WriteInventory(Dictionary<string, string> sites)
    {
        var hosts = new Dictionary<string, object>();
        for (int i = 0; i < Hosts.Length; i++)
        {
            var host = _testbed.Hosts[i];
            hosts[Hosts[i]] = sites.TryGetValue(Hosts[i], out var list)
                ? new { host.Address, host.Port, Vars = new Dictionary<string, string> { ["sites"] = list } }
                : new { host.Address, host.Port };
        }

        var inventory = new
        {
            Inventory = new
            {
                Defaults = new
                {
                    _testbed.User,
                    _testbed.IdentityFile,
                    _testbed.KnownHostsFile,
                    SshArguments = new[] { "-o", "GlobalKnownHostsFile=/dev/null" },
                },
                Hosts = hosts,
                Groups = new Dictionary<string, object> { ["web"] = new { Hosts = Hosts } },
            },
        };
        File.WriteAllText(Path.Combine(_project, "inventory.json"), JsonSerializer.Serialize(inventory));
    }

    /// <summary>Server processes of this fixture's hosts still running (the loopback hosts are this machine).</summary>
    private List<string> ServerProcesses()
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-a", "-f", $"webfleet/web[0-9]-{_tag}/bin/webserver.py"]) { RedirectStandardOutput = true })!;
        var found = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return found.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
