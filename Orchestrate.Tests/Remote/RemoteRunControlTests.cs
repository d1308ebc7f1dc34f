using System.Diagnostics;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Remote;

/// <summary>Run control on host nodes: they go through the same scheduler as local tasks.</summary>
[TestFixture]
[NonParallelizable]
public class RemoteRunControlTests : LoopbackHostsFixture
{
    private static TaskDescriptor HostTask(string name, string step, bool? critical) => new()
    {
        Name = name,
        Hosts = "lab",
        Critical = critical,
        RemoteSteps = [new RemoteStepSpec(step)],
        Invoke = _ => ValueTask.FromResult<object?>(null),
    };

    [Test]
    public async Task A_critical_host_tasks_failure_on_one_host_aborts_the_whole_run()
    {
        using var cli = Harness();
        var pidFile = Path.Combine(cli.Directory, "local.pid");
        cli.Add("local", ctx => ctx.Shell($"sleep 30 & echo $! > '{pidFile}'; wait"));
        cli.Tasks.Add(HostTask("work", "if [ {host} = node2 ]; then sleep 1; exit 3; fi; sleep 30", critical: true));

        var clock = Stopwatch.StartNew();
        var result = await cli.RunAsync("local", "work", "-j", "4");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(20), "the other hosts' 30 s steps and the local sleep are cancelled\n" + result);
        Assert.That(SchedulingTests.ProcessAlive(await SchedulingTests.WaitForPidAsync(pidFile)), Is.False);
        Assert.That(result.Output, Does.Contain("FAILED work:node2"));
    }

    [Test]
    public async Task Without_the_attribute_a_hosts_failure_stays_on_that_host()
    {
        using var cli = Harness();
        cli.Tasks.Add(HostTask("work", "if [ {host} = node2 ]; then exit 3; fi; sleep 1.5", critical: null));

        var result = await cli.RunAsync("work");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain("ok work:node1").And.Contain("ok work:node3"), "the other hosts go on");
    }
}
