using Orchestrate.Remote;
using Orchestrate.Remote.Testbed;
using Orchestrate.Tests.Remote.Testbed;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Remote;

/// <summary>Host tasks run as a user runs them: fan-out, per-host pipelining, ship and fetch, failures
/// contained to a host, a recap, against real sshd hosts on loopback.</summary>
[TestFixture]
[NonParallelizable]
public class RemoteRunTests : LoopbackHostsFixture
{
    private static TaskDescriptor HostTask(string name, string[] steps, string[]? dependsOn = null, ShipSpec[]? ships = null, FetchSpec[]? fetches = null, bool barrier = false, string hosts = "lab", string[]? remoteTargets = null, TimeSpan? timeout = null) => new()
    {
        Name = name,
        Hosts = hosts,
        IsBarrier = barrier,
        DependsOn = dependsOn ?? [],
        RemoteSteps = steps.Select(s => new RemoteStepSpec(s) { Timeout = timeout }).ToArray(),
        Ships = ships ?? [],
        Fetches = fetches ?? [],
        RemoteTargets = remoteTargets ?? [],
        Invoke = _ => ValueTask.FromResult<object?>(null),
    };

    [Test]
    public async Task A_host_task_runs_once_per_host_with_prefixed_output_and_a_recap()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("greet", ["echo hello from {host} at {address}"]));

        var result = await cli.RunAsync("greet");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        foreach (var host in Testbed.Hosts)
        {
            Assert.That(result.Output, Does.Match($@"greet:{host.Name} +\| hello from {host.Name} at {host.Address.Replace(".", @"\.")}"));
            Assert.That(result.Output, Does.Match($@"  {host.Name} +ran=1 up-to-date=0 failed=0 unreachable=0 skipped=0"));
        }

        Assert.That(result.Output, Does.Contain("recap:"));
    }

    [Test]
    public async Task Host_tasks_pipeline_per_host_unless_declared_a_barrier()
    {
        using var cli = Harness();
        // node3 installs slowly; site on node1 must not wait for it. The barrier task waits for every host.
        cli.Tasks.Add(HostTask("install", ["if [ {host} = node3 ]; then sleep 1.5; fi; echo installed"]));
        cli.Tasks.Add(HostTask("site", ["echo site up"], dependsOn: ["install"]));
        cli.Tasks.Add(HostTask("check", ["echo checked"], dependsOn: ["install"], barrier: true));

        var result = await cli.RunAsync("site", "check");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var lines = result.Lines.ToList();
        int At(string prefix) => lines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.That(At("ok site:node1"), Is.LessThan(At("ok install:node3")), "site:node1 waits for install:node1 only");
        Assert.That(At("-> check:node1"), Is.GreaterThan(At("ok install:node3")), "a barrier waits for install on every host");
    }

    [Test]
    public async Task Shipped_files_are_sent_once_and_again_only_when_they_change()
    {
        using var cli = Harness();
        // The loopback hosts share one home directory: each host ships into a folder of its own.
        var shipRoot = $"ship-{Guid.NewGuid():N}";
        var remoteDir = shipRoot + "/{host}";
        cli.Write("site/index.html", "<h1>v1</h1>");
        cli.Write("site/about.html", "about");
        cli.Write("site/css/style.css", "body{}");
        cli.Tasks.Add(HostTask("publish", [$"cat {shipRoot}/{{host}}/index.html"], ships: [new ShipSpec("site/**", remoteDir)]));

        var first = await cli.RunAsync("publish");
        var second = await cli.RunAsync("publish");
        cli.Write("site/index.html", "<h1>v2</h1>");
        var third = await cli.RunAsync("publish");

        // Ship files and remote steps are phases of their own on each host, each with its own check.
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(first.Output, Does.Match(@"publish:node1::ship_file:site/\*\* +\| ship: sent 3 of 3 files"));
        Assert.That(second.Output, Does.Contain("-- publish:node2::ship_file:site/** (up to date)"), second.ToString());
        Assert.That(second.Output, Does.Contain("-- publish:node2::remote_steps (up to date)"), second.ToString());
        Assert.That(second.Output, Does.Not.Contain("->"), "nothing changed: every phase on every host is up to date");
        Assert.That(third.Output, Does.Contain("-> publish:node1::ship_file:site/** (site/index.html changed)"), third.ToString());
        Assert.That(third.Output, Does.Match(@"publish:node1::ship_file:site/\*\* +\| ship: sent 1 of 3 files \(index\.html\)"));
        Assert.That(third.Output, Does.Match(@"publish:node3::remote_steps +\| <h1>v2</h1>"));

        // A remote copy changed behind our back: only that host ships again, and runs the steps after the ship.
        var node2 = await TestbedFixture.SshAsync(Testbed, Testbed.Hosts[1], $"echo tampered > {shipRoot}/node2/about.html");
        Assert.That(node2.ExitCode, Is.EqualTo(0), node2.ToString());
        var fourth = await cli.RunAsync("publish");
        Assert.That(fourth.Output, Does.Contain("-> publish:node2::ship_file:site/** (about.html differs on node2)"), fourth.ToString());
        Assert.That(fourth.Output, Does.Match(@"publish:node2::ship_file:site/\*\* +\| ship: sent 1 of 3 files \(about\.html\)"));
        Assert.That(fourth.Output, Does.Contain("-> publish:node2::remote_steps (publish:node2::ship_file:site/** changed)"));
        Assert.That(fourth.Output, Does.Contain("-- publish:node1::ship_file:site/** (up to date)"));
        Assert.That(fourth.Output, Does.Contain("-- publish:node1::remote_steps (up to date)"));
        await TestbedFixture.SshAsync(Testbed, Testbed.Hosts[0], $"rm -rf {shipRoot}");
    }

    [Test]
    public async Task Fetched_files_land_per_host_and_are_targets()
    {
        using var cli = Harness();
        // The loopback hosts share one home directory: each host writes a file of its own.
        var remote = $"fetch-{Guid.NewGuid():N}";
        cli.Tasks.Add(HostTask("collect", [$"echo report of {{host}} > {remote}-{{host}}.txt"], fetches: [new FetchSpec($"{remote}-{{host}}.txt", "logs/{host}")]));

        var result = await cli.RunAsync("collect");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        foreach (var host in Testbed.Hosts)
        {
            Assert.That(File.ReadAllText(cli.PathOf($"logs/{host.Name}/{remote}-{host.Name}.txt")), Is.EqualTo($"report of {host.Name}\n"));
            await TestbedFixture.SshAsync(Testbed, host, $"rm -f {remote}-{host.Name}.txt");
        }
    }

    [Test]
    public async Task A_failing_host_does_not_stop_the_others_and_the_run_fails_with_a_recap()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("migrate", ["if [ {host} = node2 ]; then echo 'schema locked' >&2; exit 4; fi; echo migrated"]));
        cli.Tasks.Add(HostTask("restart", ["echo restarted"], dependsOn: ["migrate"]));

        var result = await cli.RunAsync("restart");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain("ok restart:node1"));
        Assert.That(result.Output, Does.Contain("ok restart:node3"));
        Assert.That(result.Output, Does.Contain("FAILED migrate:node2: command `if [ node2 = node2 ]; then echo 'schema locked' >&2; exit 4; fi; echo migrated (on node2)` exited with code 4"));
        Assert.That(result.Output, Does.Contain("    schema locked"));
        Assert.That(result.Output, Does.Match(@"  node2 +ran=0 up-to-date=0 failed=1 unreachable=0 skipped=1"));
        Assert.That(result.Output, Does.Match(@"  node1 +ran=2 up-to-date=0 failed=0 unreachable=0 skipped=0"));
    }

    [Test]
    public async Task An_unreachable_host_is_reported_as_such_and_a_rerun_finishes_its_work()
    {
        using var cli = Harness();
        var marker = $"done-{Guid.NewGuid():N}";
        cli.Tasks.Add(HostTask("setup", [$"touch {marker}"], remoteTargets: [marker]));
        await Testbed.StopHostAsync(2);
        CliResult first;
        try
        {
            first = await cli.RunAsync("setup");
        }
        finally
        {
            await Testbed.StartHostAsync(2);
        }

        var second = await cli.RunAsync("setup");

        Assert.That(first.ExitCode, Is.EqualTo(1), first.ToString());
        Assert.That(first.Output, Does.Contain("UNREACHABLE setup:node3: host node3 is unreachable: ").And.Contain("Connection refused"));
        Assert.That(first.Output, Does.Match(@"  node3 +ran=0 up-to-date=0 failed=0 unreachable=1 skipped=0"));
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.Output, Does.Contain("-> setup:node3"));
        Assert.That(second.Output, Does.Contain("-- setup:node1 (up to date)"), "node1 made its remote target: done");
        foreach (var host in Testbed.Hosts)
        {
            await TestbedFixture.SshAsync(Testbed, host, $"rm -f {marker}");
        }
    }

    [Test]
    public async Task Limit_selects_hosts_and_forks_bound_them()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("ping", ["echo pong"]));

        var limited = await cli.RunAsync("ping", "--limit", "node1,node3");
        var wrong = await cli.RunAsync("ping", "--limit", "nod1");

        Assert.That(limited.ExitCode, Is.EqualTo(0), limited.ToString());
        Assert.That(limited.Output, Does.Contain("ok ping:node1").And.Contain("ok ping:node3").And.Not.Contain("ping:node2"));
        Assert.That(wrong.ExitCode, Is.EqualTo(2));
        Assert.That(wrong.Error, Does.Contain("'nod1'").And.Contain("Did you mean 'node1'?"));
    }

    [Test]
    public async Task A_step_timeout_kills_the_remote_command_and_fails_that_host()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("hang", ["sleep 120"], hosts: "node1", timeout: TimeSpan.FromMilliseconds(500)));

        var result = await cli.RunAsync("hang");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain("FAILED hang:node1: command `sleep 120 (on node1)` timed out"));
    }

    [Test]
    public async Task Hosts_lists_the_inventory_and_check_says_who_answers()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("noop", ["true"]));
        await Testbed.StopHostAsync(1);
        CliResult check;
        try
        {
            check = await cli.RunAsync("hosts", "--check");
        }
        finally
        {
            await Testbed.StartHostAsync(1);
        }

        var list = await cli.RunAsync("hosts", "--limit", "node1");

        Assert.That(list.ExitCode, Is.EqualTo(0), list.ToString());
        Assert.That(list.Lines.Single(), Does.StartWith($"node1  {Testbed.User}@{Testbed.Hosts[0].Address}:{Testbed.Hosts[0].Port}  groups: lab"));
        Assert.That(check.ExitCode, Is.EqualTo(1), check.ToString());
        Assert.That(check.Output, Does.Match(@"node1  reachable \(\d"));
        Assert.That(check.Output, Does.Contain("node2  unreachable: ").And.Contain("Connection refused"));
    }
    [Test]
    public async Task Persist_keeps_each_connection_for_the_next_run_and_disconnect_closes_them()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("greet", ["echo hi from {host}"]));
        int[] Logins() => Testbed.Hosts.Select(h => Testbed.CountAuthentications(h)).ToArray();
        var start = Logins();
        try
        {
            var first = await cli.RunAsync("greet", "--persist", "60");
            var afterFirst = Logins();
            var second = await cli.RunAsync("greet", "--persist", "60");
            var afterSecond = Logins();
            var disconnect = await cli.RunAsync("hosts", "--disconnect");
            var third = await cli.RunAsync("greet");

            Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
            Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
            Assert.That(second.Output, Does.Contain("| hi from node3"));
            Assert.That(afterFirst.Zip(start, (a, b) => a - b), Is.All.EqualTo(1), "the first run logs in once per host");
            Assert.That(afterSecond, Is.EqualTo(afterFirst), "the second run reuses the connections the first kept open");
            Assert.That(disconnect.ExitCode, Is.EqualTo(0), disconnect.ToString());
            Assert.That(disconnect.Output, Does.Match(@"closed \d+ connections kept open by --persist"));
            Assert.That(third.ExitCode, Is.EqualTo(0), third.ToString());
            Assert.That(Logins().Zip(afterSecond, (a, b) => a - b), Is.All.EqualTo(1), "after --disconnect, a run logs in again");
        }
        finally
        {
            await cli.RunAsync("hosts", "--disconnect");
        }
    }

    // A kept master is reached through its control socket by this process itself: no ssh client is started for the
    // shells, the file streams or the checks, and all of them work as over an ssh client (output, exit codes, files).
    [Test]
    public async Task A_run_over_kept_connections_starts_no_ssh_client_and_ships_and_runs_as_usual()
    {
        using var cli = Harness();
        var shipRoot = $"mux-{Guid.NewGuid():N}";
        cli.Write("site/index.html", "<h1>v1</h1>");
        cli.Tasks.Add(HostTask("greet", ["echo hi from {host}"]));
        cli.Tasks.Add(HostTask("publish", ["sleep 0.5", $"cat {shipRoot}/{{host}}/index.html", "exit 3"], ships: [new ShipSpec("site/**", shipRoot + "/{host}")]));
        try
        {
            Assert.That((await cli.RunAsync("greet", "--persist", "60")).ExitCode, Is.EqualTo(0));
            var sshClients = new HashSet<int>();
            var run = cli.RunAsync("publish", "--persist", "60", "-k");
            while (!run.IsCompleted)
            {
                sshClients.UnionWith(ChildProcesses("ssh"));
                await Task.WhenAny(run, Task.Delay(20));
            }

            var result = await run;
            Assert.That(result.Output, Does.Match(@"publish:node2::ship_file:site/\*\* +\| ship: sent 1 of 1 files"), result.ToString());
            Assert.That(result.Output, Does.Match(@"publish:node3::remote_steps +\| <h1>v1</h1>"));
            Assert.That(result.Output, Does.Contain("FAILED publish:node1::remote_steps (").And.Contain("exited with code 3"), "the exit code of a step comes back through the master");
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(sshClients, Is.Empty, "the kept masters were reached through their control sockets");
        }
        finally
        {
            await cli.RunAsync("hosts", "--disconnect");
            await TestbedFixture.SshAsync(Testbed, Testbed.Hosts[0], $"rm -rf {shipRoot}");
        }
    }

    // A kept master that died (a reboot, the OOM killer) leaves its control socket behind: the next run finds nobody
    // answering there, falls back to ssh, which takes the socket over, and the run logs in afresh and succeeds.
    [Test]
    public async Task A_kept_connection_whose_master_died_is_opened_again()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("greet", ["echo hi from {host}"]));
        int[] Logins() => Testbed.Hosts.Select(h => Testbed.CountAuthentications(h)).ToArray();
        try
        {
            Assert.That((await cli.RunAsync("greet", "--persist", "60")).ExitCode, Is.EqualTo(0));
            var masters = ProcessesWhoseCommandLineHas(Orchestrate.Remote.OpenSsh.OpenSshTransport.PersistentDirectory).ToList();
            Assert.That(masters, Has.Count.GreaterThanOrEqualTo(Testbed.Hosts.Count), "one kept master per host");
            foreach (var master in masters)
            {
                System.Diagnostics.Process.GetProcessById(master).Kill();
            }

            await Task.Delay(200);
            var sockets = Directory.GetFiles(Orchestrate.Remote.OpenSsh.OpenSshTransport.PersistentDirectory);
            var before = Logins();
            var again = await cli.RunAsync("greet", "--persist", "60");

            Assert.That(sockets, Is.Not.Empty, "the dead masters left their sockets");
            Assert.That(again.ExitCode, Is.EqualTo(0), again.ToString());
            Assert.That(again.Output, Does.Contain("| hi from node2"));
            Assert.That(Logins().Zip(before, (a, b) => a - b), Is.All.EqualTo(1), "a new connection per host");
        }
        finally
        {
            await cli.RunAsync("hosts", "--disconnect");
        }
    }

    // hosts --disconnect asks each kept master to exit on its control socket itself (no `ssh -O exit` client per
    // host), and removes the socket of a master that died.
    [Test]
    public async Task Disconnect_asks_each_kept_master_to_exit_without_an_ssh_client_and_removes_dead_ones_sockets()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("greet", ["echo hi from {host}"]));
        var directory = Orchestrate.Remote.OpenSsh.OpenSshTransport.PersistentDirectory;
        try
        {
            Assert.That((await cli.RunAsync("greet", "--persist", "60")).ExitCode, Is.EqualTo(0));
            var masters = ProcessesWhoseCommandLineHas(directory).ToList();
            Assert.That(masters, Has.Count.GreaterThanOrEqualTo(2), "one kept master per host");
            System.Diagnostics.Process.GetProcessById(masters[0]).Kill();
            await Task.Delay(200);
            var sockets = Directory.GetFiles(directory).Length;

            // Any ssh client this process starts lives for tens of milliseconds: sampling /proc every few sees it.
            var clients = new HashSet<int>();
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    clients.UnionWith(ChildProcesses("ssh"));
                    await Task.Delay(2);
                }
            });
            var disconnect = await cli.RunAsync("hosts", "--disconnect");
            await stop.CancelAsync();
            await sampler;
            for (var wait = 0; wait < 50 && ProcessesWhoseCommandLineHas(directory).Any(); wait++)
            {
                await Task.Delay(100);
            }

            Assert.That(disconnect.ExitCode, Is.EqualTo(0), disconnect.ToString());
            Assert.That(disconnect.Output, Does.Contain($"closed {sockets - 1} connection"), "every live master, not the dead one");
            Assert.That(clients, Is.Empty, "no ssh client was started to close them");
            Assert.That(ProcessesWhoseCommandLineHas(directory), Is.Empty, "the masters exited");
            Assert.That(Directory.GetFiles(directory), Is.Empty, "no socket is left, the dead master's included");
        }
        finally
        {
            await cli.RunAsync("hosts", "--disconnect");
        }
    }

    // The ssh processes whose command line holds the text (the kept masters, daemonized: no longer our children).
    private static IEnumerable<int> ProcessesWhoseCommandLineHas(string text) =>
        Processes().Where(p => p.Name == "ssh" && p.CommandLine.Contains(text, StringComparison.Ordinal)).Select(p => p.Id);

    // The processes of a name whose parent is this test process (the runs here are in-process).
    private static IEnumerable<int> ChildProcesses(string name) =>
        Processes().Where(p => p.Name == name && p.Parent == Environment.ProcessId).Select(p => p.Id);

    // Every process /proc shows: its ID, name (comm), parent and command line; one that ends meanwhile is skipped.
    private static IEnumerable<(int Id, string Name, int Parent, string CommandLine)> Processes()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            string stat, commandLine;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ppid ...
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var fields = close < 0 || close + 2 > stat.Length ? [] : stat[(close + 2)..].Split(' ');
            if (open >= 0 && close > open && fields.Length > 1
                && int.TryParse(fields[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parent))
            {
                yield return (id, stat[(open + 1)..close], parent, commandLine);
            }
        }
    }

    [Test]
    public async Task A_negative_persist_is_a_usage_error()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("greet", ["echo hi"]));

        var result = await cli.RunAsync("greet", "--persist", "-1");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.Trim(), Is.EqualTo("error: --persist must be 0 (close connections at the end) or a number of seconds (see --help)"));
    }
    [Test]
    public async Task A_forever_host_task_with_a_local_step_is_refused_with_one_line()
    {
        using var cli = Harness();
        var monitor = HostTask("monitor", ["sleep 1"]);
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = monitor.Name,
            Hosts = monitor.Hosts,
            RemoteSteps = monitor.RemoteSteps,
            IsForever = true,
            LocalPre = _ => ValueTask.FromResult<object?>(null),
            Invoke = monitor.Invoke,
        });

        var result = await cli.RunAsync("monitor");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.Trim(), Is.EqualTo("error: the task graph is invalid: task 'monitor' has a local pre or post step, but it is a [Forever] task, which runs on each host as one node without local phases: move the local work into a task of its own, or remove [Forever]"));
    }
}
