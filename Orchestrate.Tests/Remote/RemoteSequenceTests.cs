using Orchestrate.Tests.Remote.Testbed;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Remote;

/// <summary>
/// RemoteOrchestratePy's remote task sequences on real sshd hosts: the five phases as nodes of their own, chained on
/// each host and each checked on its own; super and sub sequences; the node that gathers them all.
/// </summary>
[TestFixture]
[NonParallelizable]
public class RemoteSequenceTests : LoopbackHostsFixture
{
    // The loopback hosts share one home directory: everything remote goes under a folder per test and host.
    private readonly string _root = $"seq-{Guid.NewGuid():N}";

    [TearDown]
    public async Task RemoveRemoteFiles() => await TestbedFixture.SshAsync(Testbed, Testbed.Hosts[0], $"rm -rf {_root}");

    private TaskDescriptor WebServer(List<string> calls) => new()
    {
        Name = "webserver",
        Hosts = "lab",
        FileDeps = ["templates/server.conf"],
        Targets = ["out/{host}/server.conf"],
        LocalPre = invocation =>
        {
            var context = (RemoteContext)invocation.Context;
            lock (calls)
            {
                calls.Add($"pre {context.HostName}");
            }

            var rendered = File.ReadAllText(Path.Combine(context.ProjectDirectory, "templates/server.conf")).Replace("HOST", context.HostName, StringComparison.Ordinal);
            Directory.CreateDirectory(Path.Combine(context.ProjectDirectory, "out", context.HostName));
            File.WriteAllText(Path.Combine(context.ProjectDirectory, "out", context.HostName, "server.conf"), rendered);
            return ValueTask.FromResult<object?>(null);
        },
        Ships = [new ShipSpec("out/{host}/server.conf", $"{_root}/{{host}}/etc"), new ShipSpec("bin/serve.sh", $"{_root}/{{host}}/bin")],
        RemoteSteps =
        [
            new RemoteStepSpec($"mkdir -p {_root}/{{host}}/log && sh {_root}/{{host}}/bin/serve.sh {_root}/{{host}}/etc/server.conf > {_root}/{{host}}/log/server.log"),
        ],
        Fetches = [new FetchSpec($"{_root}/{{host}}/log/server.log", "logs/{host}")],
        LocalPost = invocation =>
        {
            var context = (RemoteContext)invocation.Context;
            lock (calls)
            {
                calls.Add($"post {context.HostName}");
            }

            return ValueTask.FromResult<object?>(null);
        },
        Invoke = _ => ValueTask.FromResult<object?>(null),
    };

    private void WriteSources(CliHarness cli)
    {
        cli.Write("templates/server.conf", "listen HOST:8080\n");
        cli.Write("bin/serve.sh", "echo \"serving with $(cat \"$1\")\"\n");
    }

    [Test]
    public async Task The_five_phases_run_in_order_on_each_host_as_nodes_named_task_host_phase_item()
    {
        using var cli = Harness();
        var calls = new List<string>();
        WriteSources(cli);
        cli.Tasks.Add(WebServer(calls));

        var result = await cli.RunAsync("webserver", "-j", "1", "--forks", "1");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var started = result.Lines.Where(l => l.StartsWith("-> webserver:node2", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        Assert.That(started, Is.EqualTo(new[]
        {
            "webserver:node2::local_pre",
            "webserver:node2::ship_file:out/node2/server.conf",
            "webserver:node2::ship_file:bin/serve.sh",
            "webserver:node2::remote_steps",
            "webserver:node2::fetch_file:server.log",
            "webserver:node2::local_post",
        }));
        Assert.That(File.ReadAllText(cli.PathOf("logs/node2/server.log")), Is.EqualTo("serving with listen node2:8080\n"), "the host's own rendered file was shipped, used, and its log fetched");
        Assert.That(calls.Where(c => c.StartsWith("pre", StringComparison.Ordinal)), Is.EquivalentTo(new[] { "pre node1", "pre node2", "pre node3" }));
        Assert.That(calls.IndexOf("post node1"), Is.GreaterThan(calls.IndexOf("pre node1")));
        Assert.That(result.Output, Does.Match(@"  node2 +ran=6 up-to-date=0 failed=0"), "the recap counts each phase");
    }

    [Test]
    public async Task A_second_run_with_nothing_changed_runs_nothing_and_a_changed_file_reships_only_it_and_what_follows()
    {
        using var cli = Harness();
        var calls = new List<string>();
        WriteSources(cli);
        cli.Tasks.Add(WebServer(calls));

        var first = await cli.RunAsync("webserver");
        calls.Clear();
        var second = await cli.RunAsync("webserver");
        var callsInSecond = calls.ToList();
        cli.Write("bin/serve.sh", "echo \"v2 serving with $(cat \"$1\")\"\n");
        var third = await cli.RunAsync("webserver");

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.Output, Does.Not.Contain("->"), "every phase on every host is up to date");
        Assert.That(second.Output, Does.Contain("-- webserver:node1::fetch_file:server.log (up to date)"));
        Assert.That(callsInSecond, Is.Empty, "neither local step ran");
        Assert.That(calls, Is.EquivalentTo(new[] { "post node1", "post node2", "post node3" }), "the third run: new logs, so the local post ran; the pre did not");

        Assert.That(third.ExitCode, Is.EqualTo(0), third.ToString());
        foreach (var host in Testbed.Hosts.Select(h => h.Name))
        {
            Assert.That(third.Output, Does.Contain($"-- webserver:{host}::local_pre (up to date)"));
            Assert.That(third.Output, Does.Contain($"-- webserver:{host}::ship_file:out/{host}/server.conf (up to date)"));
            Assert.That(third.Output, Does.Contain($"-> webserver:{host}::ship_file:bin/serve.sh (bin/serve.sh changed)"));
            Assert.That(third.Output, Does.Contain($"-> webserver:{host}::remote_steps ("));
            Assert.That(third.Output, Does.Contain($"-> webserver:{host}::fetch_file:server.log (webserver:{host}::remote_steps changed)"));
            Assert.That(third.Output, Does.Contain($"-> webserver:{host}::local_post ("));
            Assert.That(File.ReadAllText(cli.PathOf($"logs/{host}/server.log")), Does.StartWith("v2 serving"));
        }
    }

    [Test]
    public async Task A_fetch_runs_again_when_the_remote_file_changed_and_not_otherwise()
    {
        using var cli = Harness();
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "collect",
            Hosts = "lab",
            RemoteTargets = [$"{_root}/{{host}}/data.txt"],
            RemoteSteps = [new RemoteStepSpec($"mkdir -p {_root}/{{host}} && echo first > {_root}/{{host}}/data.txt")],
            Fetches = [new FetchSpec($"{_root}/{{host}}/data.txt", "data/{host}")],
            Invoke = _ => ValueTask.FromResult<object?>(null),
        });

        var first = await cli.RunAsync("collect");
        var edit = await TestbedFixture.SshAsync(Testbed, Testbed.Hosts[2], $"echo changed > {_root}/node3/data.txt");
        var second = await cli.RunAsync("collect");

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(edit.ExitCode, Is.EqualTo(0), edit.ToString());
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.Output, Does.Contain("-- collect:node3::remote_steps (up to date)"), "its remote target exists");
        Assert.That(second.Output, Does.Contain($"-> collect:node3::fetch_file:data.txt ({_root}/node3/data.txt changed on node3)"));
        Assert.That(second.Output, Does.Contain("-- collect:node1::fetch_file:data.txt (up to date)"));
        Assert.That(File.ReadAllText(cli.PathOf("data/node3/data.txt")), Is.EqualTo("changed\n"));
        Assert.That(File.ReadAllText(cli.PathOf("data/node1/data.txt")), Is.EqualTo("first\n"));
    }

    [Test]
    public async Task Sub_sequences_run_per_item_after_the_super_sequence_on_their_host_and_the_task_gathers_them_all()
    {
        using var cli = Harness();
        cli.Write("sites/blog/index.html", "blog");
        cli.Write("sites/shop/index.html", "shop");
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "runtime",
            Hosts = "lab",
            RemoteSteps = [new RemoteStepSpec($"mkdir -p {_root}/{{host}}/www && echo runtime > {_root}/{{host}}/runtime.txt")],
            Fetches = [new FetchSpec($"{_root}/{{host}}/runtime.txt", "out/{host}")],
            Invoke = _ => ValueTask.FromResult<object?>(null),
        });
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "site",
            SubSequenceOf = "runtime",
            // node2 serves one site only: items are computed per host.
            ForEach = host => host.Name == "node2" ? ["blog"] : ["blog", "shop"],
            Ships = [new ShipSpec("sites/{item}/index.html", $"{_root}/{{host}}/www/{{item}}")],
            RemoteSteps = [new RemoteStepSpec($"test -f {_root}/{{host}}/runtime.txt && if [ {{host}}-{{item}} = node3-shop ]; then echo 'shop broke' >&2; exit 4; fi; echo {{item}} on {{host}}")],
            Invoke = _ => ValueTask.FromResult<object?>(null),
        });
        cli.Tasks.Add(new TaskDescriptor { Name = "report", DependsOn = ["runtime"], Invoke = _ => ValueTask.FromResult<object?>(null) });

        var result = await cli.RunAsync("report", "-k");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        var lines = result.Lines.ToList();
        int At(string prefix) => lines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));
        foreach (var host in new[] { "node1", "node2", "node3" })
        {
            Assert.That(At($"ok runtime:{host}::fetch_file:runtime.txt"), Is.GreaterThanOrEqualTo(0), result.ToString());
            Assert.That(At($"-> runtime:{host}::site:blog::ship_file:sites/blog/index.html"), Is.GreaterThan(At($"ok runtime:{host}::fetch_file:runtime.txt")), "a sub sequence starts after its super sequence on its host");
            Assert.That(result.Output, Does.Match($@"runtime:{host}::site:blog::remote_steps +\| blog on {host}"));
        }

        Assert.That(result.Output, Does.Contain("ok runtime:node1::site:shop::remote_steps"));
        Assert.That(result.Output, Does.Not.Contain("runtime:node2::site:shop"), "node2 has no shop");
        Assert.That(result.Output, Does.Contain("FAILED runtime:node3::site:shop::remote_steps"));
        Assert.That(result.Output, Does.Contain("ok runtime:node3::site:blog::remote_steps"), "the other sub sequences on that host are done");
        Assert.That(result.Output, Does.Not.Contain("-> report"), "the task's own node gathers every super and sub sequence on every host: one failed, so report waits in vain");
    }
}
