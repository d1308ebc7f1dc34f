using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orchestrate.Remote.Testbed;
using Orchestrate.Tests.Reliability;
using Orchestrate.Tests.Remote.Testbed;

namespace Orchestrate.Tests.Remote;

/// <summary>
/// A run stopped while remote commands run (Ctrl+C to the process or to its terminal's process group, SIGTERM, a
/// second Ctrl+C, kill -9, a lost connection) leaves no process of the run on any host, within a bounded time, and
/// the command never reaches its end. The run is a real process (Apps/StateApp) against real sshd hosts on loopback;
/// the hosts share this machine's file system, so what a command would have written is looked for here.
/// </summary>
[TestFixture]
[NonParallelizable]
public class RemoteCancellationTests
{
    private LoopbackTestbed _testbed = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartHosts() => _testbed = await TestbedFixture.StartOrIgnoreAsync(2);

    [OneTimeTearDown]
    public async Task StopHosts()
    {
        if (_testbed is not null)
        {
            await _testbed.DisposeAsync();
        }
    }

    [SetUp]
    public void MakeProject()
    {
        _directory = Directory.CreateTempSubdirectory("orchestrate-cancel-").FullName;
        File.WriteAllText(Path.Combine(_directory, "hosts.json"), InventoryJson(_testbed));
    }

    [TearDown]
    public void RemoveProject() => Directory.Delete(_directory, recursive: true);

    public enum Stop
    {
        InterruptProcess,
        InterruptGroup,
        Terminate,
        InterruptTwice,
        KillThenRunAgain,
    }

    [TestCase(Stop.InterruptProcess)]
    [TestCase(Stop.InterruptGroup)]
    [TestCase(Stop.Terminate)]
    [TestCase(Stop.InterruptTwice)]
    public async Task A_stopped_run_leaves_no_remote_command_behind(Stop stop)
    {
        var (step, marker, sleep) = Step();
        using var app = StartRun(step, ownGroup: stop == Stop.InterruptGroup);
        await app.WaitForOutputAsync(l => l.Contains("started", StringComparison.Ordinal) && l.Contains("node2", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await app.WaitForOutputAsync(l => l.Contains("started", StringComparison.Ordinal) && l.Contains("node1", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.That(RemoteCommands(sleep), Is.Not.Empty, "the commands run on the hosts");

        switch (stop)
        {
            case Stop.InterruptProcess:
                app.Interrupt();
                break;
            case Stop.InterruptGroup:
                app.InterruptGroup();
                break;
            case Stop.Terminate:
                app.Terminate();
                break;
            case Stop.InterruptTwice:
                app.Interrupt();
                await app.WaitForErrorAsync(l => l.StartsWith("cancelling", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
                app.Interrupt();
                break;
        }

        var code = await app.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.That(code, Is.Not.Zero);
        await AssertGoneAsync(sleep, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(marker)!, Path.GetFileName(marker) + "*"), Is.Empty, "no command ran to its end");
    }

    [Test]
    public async Task After_kill_9_the_next_run_ends_what_the_dead_run_left_on_the_hosts()
    {
        var (step, marker, sleep) = Step();
        using (var app = StartRun(step, ownGroup: false))
        {
            await app.WaitForOutputAsync(l => l.Contains("started", StringComparison.Ordinal) && l.Contains("node1", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            await app.WaitForOutputAsync(l => l.Contains("started", StringComparison.Ordinal) && l.Contains("node2", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            app.KillHard();
            await app.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.That(RemoteCommands(sleep), Is.Not.Empty, "kill -9 gives the run no chance to stop anything");

        // The next run on hosts ends what the dead run left.
        using var next = StartRun("echo again on {host}", ownGroup: false);
        var code = await next.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.That(code, Is.Zero, string.Join('\n', next.Output.Concat(next.Errors)));
        Assert.That(next.Errors, Has.Some.Contains("ended what an earlier run left: 2 SSH connections"), string.Join('\n', next.Errors));
        await AssertGoneAsync(sleep, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(marker)!, Path.GetFileName(marker) + "*"), Is.Empty, "no command ran to its end");
    }

    [Test]
    public async Task A_command_whose_connection_drops_does_not_run_on()
    {
        var (step, marker, sleep) = Step();
        using var app = StartRun(step, ownGroup: false);
        await app.WaitForOutputAsync(l => l.Contains("started", StringComparison.Ordinal) && l.Contains("node1", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        // The run's ssh processes die (as when the network goes): the hosts end the commands of the lost connections.
        foreach (var ssh in SshProcessesOf(app.Pid))
        {
            ssh.Kill();
        }

        await app.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await AssertGoneAsync(sleep, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(marker)!, Path.GetFileName(marker) + "*"), Is.Empty, "no command ran to its end");
    }

    // A step that says it started, sleeps a duration no other process uses, then writes a marker.
    private static (string Step, string Marker, string Sleep) Step()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"orchestrate-cancel-{Guid.NewGuid():N}");
        var sleep = "sleep 6." + Random.Shared.Next(100000, 999999).ToString(CultureInfo.InvariantCulture);
        return ($"echo started on {{host}}; {sleep}; touch {marker}-{{host}}", marker, sleep);
    }

    private StateAppProcess StartRun(string step, bool ownGroup) =>
        StateAppProcess.Start(_directory, 0, 0, new Dictionary<string, string> { ["STATEAPP_REMOTE_STEP"] = step }, ownGroup, "remote", "--inventory", "hosts.json");

    private static async Task AssertGoneAsync(string sleep, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (RemoteCommands(sleep).Count > 0 && clock.Elapsed < within)
        {
            await Task.Delay(100);
        }

        Assert.That(RemoteCommands(sleep), Is.Empty, $"no '{sleep}' is left on the hosts {within.TotalSeconds:0} s after the run ended");
    }

    // The processes whose command line is exactly this sleep (the hosts are this machine).
    private static List<int> RemoteCommands(string sleep)
    {
        var found = new List<int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim() == sleep)
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private static IEnumerable<Process> SshProcessesOf(int parent)
    {
        foreach (var process in Process.GetProcessesByName("ssh"))
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                yield return process;
            }
        }
    }

    private static string InventoryJson(LoopbackTestbed testbed)
    {
        var hosts = testbed.Hosts.ToDictionary(h => h.Name, h => (object)new Dictionary<string, object>
        {
            ["Address"] = h.Address,
            ["Port"] = h.Port,
            ["User"] = h.User,
            ["IdentityFile"] = testbed.IdentityFile,
            ["KnownHostsFile"] = testbed.KnownHostsFile,
            ["SshArguments"] = new[] { "-o", "GlobalKnownHostsFile=/dev/null" },
        });
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Hosts"] = hosts,
            ["Groups"] = new Dictionary<string, object> { ["lab"] = new Dictionary<string, object> { ["Hosts"] = testbed.Hosts.Select(h => h.Name).ToArray() } },
        });
    }
}
