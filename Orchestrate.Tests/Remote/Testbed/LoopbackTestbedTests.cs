using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Orchestrate.Remote.Testbed;

namespace Orchestrate.Tests.Remote.Testbed;

[TestFixture]
public sealed class LoopbackTestbedTests
{
    private const string WhoAmI = "echo $(whoami)@$(hostname -I 2>/dev/null || echo x); echo \"$SSH_CONNECTION\"; echo ok";

    [Test]
    public async Task EveryHostRunsCommandsAsTheTestbedUserWithHostKeyChecking()
    {
        var started = Stopwatch.StartNew();
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(3);
        TestContext.Out.WriteLine($"3 hosts started in {started.ElapsedMilliseconds} ms");

        Assert.That(testbed.Hosts.Select(h => h.Name), Is.EqualTo(new[] { "node1", "node2", "node3" }));
        Assert.That(testbed.Hosts.Select(h => h.Address), Is.EqualTo(new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" }));
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(testbed.IdentityFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(testbed.SshOptions(testbed.Hosts[0]), Has.None.Contains("StrictHostKeyChecking"));

        var results = await Task.WhenAll(testbed.Hosts.Select(h => TestbedFixture.SshAsync(testbed, h, WhoAmI)));
        for (var i = 0; i < results.Length; i++)
        {
            var host = testbed.Hosts[i];
            var result = results[i];
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(3), result.ToString());
            Assert.That(lines[0], Does.StartWith($"{testbed.User}@"), result.ToString());
            // SSH_CONNECTION = "client-ip client-port server-ip server-port": we reached this host's own sshd.
            Assert.That(lines[1], Does.EndWith($" {host.Address} {host.Port}"), result.ToString());
            Assert.That(lines[2], Is.EqualTo("ok"));
        }
    }

    [Test]
    public async Task TheSshConfigFileReachesHostsByName()
    {
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(2);
        var result = await TestbedFixture.RunSshAsync(["-F", testbed.SshConfigFile, "-o", "BatchMode=yes", "node2", "echo \"$SSH_CONNECTION\""]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.StandardOutput.Trim(), Does.EndWith($" {testbed.Hosts[1].Address} {testbed.Hosts[1].Port}"));
    }

    [Test]
    public async Task AnUnknownOrWrongHostKeyIsRefused()
    {
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(2);
        var node1 = testbed.Hosts[0];
        var port = node1.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var empty = Path.Combine(testbed.Directory, "empty_known_hosts");
        await File.WriteAllTextAsync(empty, "");
        var unknown = await TestbedFixture.RunSshAsync(["-o", "UserKnownHostsFile=" + empty, "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", testbed.IdentityFile, "-p", port,
            node1.Destination, "true"]);
        Assert.That(unknown.ExitCode, Is.EqualTo(255), unknown.ToString());
        Assert.That(unknown.StandardError, Does.Contain("Host key verification failed"));

        // node2's key written down for node1: a changed host key, refused even with the default checking.
        var lines = await File.ReadAllLinesAsync(testbed.KnownHostsFile);
        var node2Key = lines[1][(lines[1].IndexOf(' ', StringComparison.Ordinal) + 1)..];
        var wrong = Path.Combine(testbed.Directory, "wrong_known_hosts");
        await File.WriteAllTextAsync(wrong, $"[{node1.Address}]:{port} {node2Key}\n");
        var changed = await TestbedFixture.RunSshAsync(["-o", "UserKnownHostsFile=" + wrong, "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", testbed.IdentityFile, "-p", port, node1.Destination, "true"]);
        Assert.That(changed.ExitCode, Is.EqualTo(255), changed.ToString());
        Assert.That(changed.StandardError, Does.Contain("REMOTE HOST IDENTIFICATION HAS CHANGED").Or.Contain("Host key verification failed"));

        Assert.That(testbed.CountAuthentications(node1), Is.EqualTo(0), "no login may happen with a refused host key");
        var good = await TestbedFixture.SshAsync(testbed, node1, "true");
        Assert.That(good.ExitCode, Is.EqualTo(0), "refused probes must not get the client penalized: " + good);
    }

    [Test]
    public async Task AStoppedHostRefusesConnectionsWhileTheOthersWorkAndComesBack()
    {
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(3);
        var node2 = testbed.Hosts[1];

        await testbed.StopHostAsync(1);
        var down = await TestbedFixture.SshAsync(testbed, node2, "true", "-o", "ConnectTimeout=5");
        Assert.That(down.ExitCode, Is.EqualTo(255), down.ToString());
        Assert.That(down.StandardError, Does.Contain("Connection refused"));
        foreach (var other in new[] { testbed.Hosts[0], testbed.Hosts[2] })
        {
            var up = await TestbedFixture.SshAsync(testbed, other, "echo ok");
            Assert.That(up.ExitCode, Is.EqualTo(0), up.ToString());
        }
        await testbed.StopHostAsync(1); // idempotent

        await testbed.StartHostAsync(1);
        await testbed.StartHostAsync(1); // no-op while running
        var back = await TestbedFixture.SshAsync(testbed, node2, "echo ok");
        Assert.That(back.ExitCode, Is.EqualTo(0), back.ToString());
        Assert.That(back.StandardOutput.Trim(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task StoppingAHostDropsItsOpenMultiplexedConnection()
    {
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(1);
        var node1 = testbed.Hosts[0];
        var control = Path.Combine(testbed.Directory, "cm-%C");
        string[] mux = ["-o", "ControlMaster=auto", "-o", "ControlPath=" + control, "-o", "ControlPersist=60"];

        var first = await TestbedFixture.SshAsync(testbed, node1, "echo ok", mux);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        await testbed.StopHostAsync(0);
        var after = await TestbedFixture.SshAsync(testbed, node1, "echo ok", [.. mux, "-o", "ConnectTimeout=5"]);
        Assert.That(after.ExitCode, Is.EqualTo(255), after.ToString());
    }

    [Test]
    public async Task CountAuthenticationsGrowsByOnePerConnectionNotPerMultiplexedSession()
    {
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(2);
        var (node1, node2) = (testbed.Hosts[0], testbed.Hosts[1]);
        Assert.That(testbed.CountAuthentications(node1), Is.EqualTo(0), "the start-up probe is not counted");
        Assert.That(testbed.CountAuthentications(node2), Is.EqualTo(0));

        for (var i = 1; i <= 2; i++)
        {
            var result = await TestbedFixture.SshAsync(testbed, node1, "true");
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(testbed.CountAuthentications(node1), Is.EqualTo(i));
        }

        string[] mux = ["-o", "ControlMaster=auto", "-o", "ControlPath=" + Path.Combine(testbed.Directory, "cm-%C"), "-o", "ControlPersist=60"];
        try
        {
            // The first one opens the master (it persists); the others, at once, ride on it.
            var first = await TestbedFixture.SshAsync(testbed, node2, "echo ok", mux);
            var others = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TestbedFixture.SshAsync(testbed, node2, "echo ok", mux)));
            var sessions = others.Prepend(first).ToArray();
            Assert.That(sessions.Select(s => s.ExitCode), Is.All.EqualTo(0), string.Join("\n", sessions.Select(s => s.ToString())));
            Assert.That(testbed.CountAuthentications(node2), Is.EqualTo(1), testbed.LogTail(node2));
            Assert.That(testbed.CountAuthentications(node1), Is.EqualTo(2));
        }
        finally
        {
            await TestbedFixture.RunSshAsync([.. testbed.SshOptions(node2), .. mux, "-O", "exit", node2.Destination]);
        }
    }

    [Test]
    public async Task DisposeStopsEverySshdAndDeletesTheDirectoryAndCanBeRepeated()
    {
        var testbed = await TestbedFixture.StartOrIgnoreAsync(2);
        var directory = testbed.Directory;
        var host = testbed.Hosts[0];
        Assert.That(Directory.Exists(directory));

        await testbed.DisposeAsync();
        await testbed.DisposeAsync();

        Assert.That(Directory.Exists(directory), Is.False);
        using var client = new TcpClient();
        Assert.That(async () => await client.ConnectAsync(IPAddress.Parse(host.Address), host.Port), Throws.InstanceOf<SocketException>());
        Assert.That(() => testbed.StartHostAsync(0), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task ABusyPortIsReportedInOneLine()
    {
        TestbedFixture.IgnoreIfUnavailable();
        using var squatter = new TcpListener(IPAddress.Parse("127.0.0.3"), 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var failure = Assert.ThrowsAsync<TestbedUnavailableException>(async () =>
            await LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { Hosts = 3, Port = port }));
        Assert.That(failure!.Message, Is.EqualTo($"port {port} busy on 127.0.0.3"));
        Assert.That(failure.MissingPrerequisite, Is.False);
        // The hosts that did start were stopped again.
        Assert.That(PortAccepts("127.0.0.2", port), Is.False);
    }

    [Test]
    public async Task TwentyHostsStart()
    {
        var started = Stopwatch.StartNew();
        await using var testbed = await TestbedFixture.StartOrIgnoreAsync(20);
        TestContext.Out.WriteLine($"20 hosts started in {started.ElapsedMilliseconds} ms");
        Assert.That(testbed.Hosts, Has.Count.EqualTo(20));
        Assert.That(testbed.Hosts[^1].Address, Is.EqualTo("127.0.0.21"));
        Assert.That(await File.ReadAllLinesAsync(testbed.KnownHostsFile), Has.Length.EqualTo(20));
        var last = await TestbedFixture.SshAsync(testbed, testbed.Hosts[^1], "echo ok");
        Assert.That(last.ExitCode, Is.EqualTo(0), last.ToString());
    }

    [Test]
    public void InvalidOptionsAreRejectedBeforeAnythingStarts()
    {
        Assert.That(() => LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { Hosts = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { FirstAddress = "10.0.0.1" }), Throws.ArgumentException);
        Assert.That(() => LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { User = "root" }), Throws.ArgumentException);
        Assert.That(() => LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { User = "x; rm -rf /" }), Throws.ArgumentException);
        Assert.That(() => LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { FirstAddress = "127.255.255.250", Hosts = 10 }), Throws.ArgumentException);
    }

    private static bool PortAccepts(string address, int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Parse(address), port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
