using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Orchestrate.Remote;
using Orchestrate.Remote.OpenSsh;
using Orchestrate.Remote.Testbed;
using Orchestrate.Tests.Remote.Testbed;
using Orchestrate.Tests.Remote.Transport;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Remote;

/// <summary>Faults a fleet run meets: a host dying mid-run, a listener that never speaks, Ctrl+C during remote steps.</summary>
[TestFixture]
[NonParallelizable]
public class RemoteFaultTests : LoopbackHostsFixture
{
    private static TaskDescriptor HostTask(string name, string[] steps, string[]? remoteTargets = null) => new()
    {
        Name = name,
        Hosts = "lab",
        RemoteSteps = steps.Select(s => new RemoteStepSpec(s)).ToArray(),
        RemoteTargets = remoteTargets ?? [],
        Invoke = _ => ValueTask.FromResult<object?>(null),
    };

    [Test]
    public async Task A_host_killed_mid_run_is_unreachable_the_others_finish_and_a_rerun_completes_it()
    {
        using var cli = Harness();
        var marker = $"mid-{Guid.NewGuid():N}";
        cli.Tasks.Add(HostTask("work", ["sleep 2", $"touch {marker}-{{host}}"], [$"{marker}-{{host}}"]));

        var run = cli.RunAsync("work");
        await WaitUntilAsync(() => cli.Lines().Count(l => l.StartsWith("-> work:", StringComparison.Ordinal)) == 3);
        await Task.Delay(300);
        await Testbed.StopHostAsync(1);
        CliResult first;
        try
        {
            first = await run;
        }
        finally
        {
            await Testbed.StartHostAsync(1);
        }

        var second = await cli.RunAsync("work");

        Assert.That(first.ExitCode, Is.EqualTo(1), first.ToString());
        Assert.That(first.Output, Does.Contain("UNREACHABLE work:node2: host node2 is unreachable"));
        Assert.That(first.Output, Does.Contain("ok work:node1").And.Contain("ok work:node3"));
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.Output, Does.Contain("-> work:node2").And.Contain("-- work:node1 (up to date)").And.Contain("-- work:node3 (up to date)"));
        await TestbedFixture.SshAsync(Testbed, Testbed.Hosts[0], $"rm -f {marker}-*");
    }

    [Test]
    public async Task A_listener_that_never_speaks_times_out_as_unreachable()
    {
        using var silent = new TcpListener(IPAddress.Parse("127.0.0.1"), 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var accepted = silent.AcceptTcpClientAsync();
        await using var transport = new OpenSshTransport();
        var host = OpenSshTransportTests.Spec(Testbed, Testbed.Hosts[0]) with { Name = "mute", Address = "127.0.0.1", Port = port, ConnectTimeoutSeconds = 1 };

        var clock = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<HostUnreachableException>(() => transport.ConnectAsync(host, null, CancellationToken.None));

        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10), "the connect timeout bounds a silent listener");
        Assert.That(error!.Message, Does.StartWith("host mute is unreachable: ").And.Contain("timed out"));
        (await accepted).Dispose();
    }

    [Test]
    public async Task Ctrl_c_during_remote_steps_leaves_no_remote_process_behind()
    {
        using var cli = Harness();
        var marker = $"orchestrate-cancel-{Guid.NewGuid():N}";
        cli.Tasks.Add(HostTask("serve", [$"sh -c 'sleep 300; echo {marker}' & wait"]));
        using var cancel = new CancellationTokenSource();

        var run = cli.RunAsync(["serve"], cancel.Token);
        await WaitUntilAsync(() => CountRemote(marker) == 3);
        await cancel.CancelAsync();
        var result = await run;

        Assert.That(result.ExitCode, Is.EqualTo(130), result.ToString());
        await WaitUntilAsync(() => CountRemote(marker) == 0, TimeSpan.FromSeconds(5));
        Assert.That(CountRemote(marker), Is.EqualTo(0), "no remote sleep outlives the run");
        Assert.That(Process.GetProcessesByName("ssh").Count(p => p.Parent()?.Id == Environment.ProcessId), Is.EqualTo(0), "every connection was closed");
    }

    // The loopback hosts run on this machine: their processes are visible here.
    private static int CountRemote(string marker) =>
        Directory.EnumerateDirectories("/proc").Count(dir =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(marker, StringComparison.Ordinal)
                    && !File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("ssh", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        });

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (limit ?? TimeSpan.FromSeconds(15)))
            {
                return;
            }

            await Task.Delay(50);
        }
    }
}
