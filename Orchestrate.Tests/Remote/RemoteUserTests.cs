using Orchestrate.Remote;
using Orchestrate.Remote.Testbed;
using Orchestrate.Tests.Remote.Testbed;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Remote;

/// <summary>Several SSH users on one host: one connection per (host, user), each step as its user.</summary>
[TestFixture]
[NonParallelizable]
public class RemoteUserTests
{
    private const string Admin = "orchestrate2";

    [Test]
    public async Task Steps_run_as_their_user_over_one_connection_per_host_and_user()
    {
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(new LoopbackTestbedOptions { Hosts = 2, Port = 0, ExtraUsers = [Admin], SudoUsers = [Admin] });
        using var cli = new CliHarness { Inventory = InventoryBuilder.FromTestbed(testbed) };
        string? asAdmin = null;
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "who",
            Hosts = "lab",
            RemoteSteps =
            [
                new RemoteStepSpec("echo step as $(whoami)"),
                new RemoteStepSpec("echo step as $(whoami)") { User = Admin },
                new RemoteStepSpec("echo again as $(whoami)") { User = Admin },
                new RemoteStepSpec("echo sudo gives uid $(id -u)") { User = Admin, Sudo = true },
            ],
            Invoke = async invocation =>
            {
                var host = (RemoteContext)invocation.Context;
                asAdmin = (await host.As(Admin).Shell("whoami", new RunOptions { Echo = false })).StdOut.Trim();
                return null;
            },
        });

        var result = await cli.RunAsync("who");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Match($@"who:node1 +\| step as {testbed.User}"));
        Assert.That(result.Output, Does.Match($@"who:node1 +\| step as {Admin}"));
        Assert.That(result.Output, Does.Match($@"who:node2 +\| again as {Admin}"));
        Assert.That(result.Output, Does.Match(@"who:node2 +\| sudo gives uid 0"));
        Assert.That(asAdmin, Is.EqualTo(Admin));
        foreach (var host in testbed.Hosts)
        {
            Assert.That(testbed.CountAuthentications(host), Is.EqualTo(2), $"{host.Name}: one login per user, whatever the number of steps");
        }
    }

    [Test]
    public async Task Sudo_without_a_rule_fails_at_once_instead_of_waiting_for_a_password()
    {
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(new LoopbackTestbedOptions { Hosts = 1, Port = 0 });
        using var cli = new CliHarness { Inventory = InventoryBuilder.FromTestbed(testbed) };
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "root",
            Hosts = "lab",
            RemoteSteps = [new RemoteStepSpec("id -u") { Sudo = true }],
            Invoke = _ => ValueTask.FromResult<object?>(null),
        });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await cli.RunAsync("root");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10));
        Assert.That(result.Output, Does.Contain("FAILED root:node1: command `sudo id -u (on node1)` exited with code 1"));
        Assert.That(result.Output, Does.Contain("sudo: a password is required").Or.Contain("not allowed").Or.Contain("not in the sudoers"));
    }
}
