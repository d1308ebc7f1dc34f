using System.Diagnostics;
using Orchestrate.Execution;
using Orchestrate.Remote;
using Orchestrate.Remote.OpenSsh;
using Orchestrate.Remote.Testbed;
using Orchestrate.Tests.Remote.Testbed;

namespace Orchestrate.Tests.Remote.Transport;

/// <summary>The OpenSSH transport against real sshd hosts on loopback, host key checking on.</summary>
[TestFixture]
[NonParallelizable]
public class OpenSshTransportTests
{
    private LoopbackTestbed _testbed = null!;

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

    internal static HostSpec Spec(LoopbackTestbed testbed, TestbedHost host) => InventoryBuilder.HostSpecOf(testbed, host);

    private HostSpec Node(int i) => Spec(_testbed, _testbed.Hosts[i]);

    [Test]
    public async Task Commands_report_exit_codes_and_keep_stdout_and_stderr_apart()
    {
        await using var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);
        // Lines come from the stdout and stderr readers at once: collect them thread-safely.
        var lines = new System.Collections.Concurrent.ConcurrentQueue<OutputLine>();

        var result = await connection.RunAsync(new RemoteCommand("echo out; echo err >&2; printf 'no newline'; exit 3"), lines.Enqueue, CancellationToken.None);

        Assert.That(result.ExitCode, Is.EqualTo(3));
        Assert.That(result.StdOut, Is.EqualTo("out\nno newline\n"));
        Assert.That(result.StdErr, Is.EqualTo("err\n"));
        Assert.That(lines, Does.Contain(new OutputLine("err", true)));
        Assert.That(lines, Does.Contain(new OutputLine("no newline", false)));
    }

    [Test]
    public async Task Empty_lines_and_working_directory_and_environment_reach_the_command()
    {
        await using var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);

        var result = await connection.RunAsync(new RemoteCommand("printf 'a\\n\\nb\\n\\n'; pwd; echo \"$GREETING\"")
        {
            WorkingDirectory = "/tmp",
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello 'world' $(x)" },
        }, null, CancellationToken.None);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Is.EqualTo("a\n\nb\n\n/tmp\nhello 'world' $(x)\n"));
    }

    [TestCase("plain")]
    [TestCase("with space")]
    [TestCase("it's \"quoted\"")]
    [TestCase("$(touch /tmp/orchestrate-remote-pwned) `id` ;&|")]
    [TestCase("back\\slash")]
    [TestCase("new\nline")]
    [TestCase("héllo wörld ✓")]
    public async Task A_quoted_value_reaches_the_remote_command_unchanged(string value)
    {
        await using var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);

        var result = await connection.RunAsync(new RemoteCommand($"printf '%s' {ShellQuoting.Quote(value)}; test ! -e /tmp/orchestrate-remote-pwned"), null, CancellationToken.None);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StdErr);
        Assert.That(result.StdOut, Is.EqualTo(value + "\n"));
    }

    [Test]
    public async Task Many_commands_on_one_host_share_one_authentication_and_stay_cheap()
    {
        var before = _testbed.CountAuthentications(_testbed.Hosts[1]);
        await using var transport = new OpenSshTransport();
        var host = Node(1);
        var connection = await transport.ConnectAsync(host, null, CancellationToken.None);
        await connection.RunAsync(new RemoteCommand("true"), null, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            var result = await connection.RunAsync(new RemoteCommand($"echo {i}"), null, CancellationToken.None);
            Assert.That(result.StdOut, Is.EqualTo($"{i}\n"));
        }

        var parallel = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => connection.RunAsync(new RemoteCommand($"sleep 0.2; echo p{i}"), null, CancellationToken.None)));
        clock.Stop();

        Assert.That(parallel.Select(r => r.StdOut), Is.EquivalentTo(Enumerable.Range(0, 12).Select(i => $"p{i}\n")));
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(5), "50 sequential commands over a long-lived shell plus 12 parallel 0.2 s commands");
        Assert.That(_testbed.CountAuthentications(_testbed.Hosts[1]) - before, Is.EqualTo(1), "one authentication for the whole connection");
    }

    [Test]
    public async Task Commands_sharing_a_remote_shell_do_not_see_each_others_directory_variables_or_exit()
    {
        await using var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);
        var home = (await connection.RunAsync(new RemoteCommand("pwd"), null, CancellationToken.None)).StdOut;

        var first = await connection.RunAsync(new RemoteCommand("cd /tmp && LEAK=1 && export EXPORTED=1 && set -e && exit 7"), null, CancellationToken.None);
        var second = await connection.RunAsync(new RemoteCommand("pwd; echo \"${LEAK:-unset} ${EXPORTED:-unset}\"; false; echo after false"), null, CancellationToken.None);
        var stdin = await connection.RunAsync(new RemoteCommand("cat; echo read nothing"), null, CancellationToken.None);

        Assert.That(first.ExitCode, Is.EqualTo(7));
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.StdOut, Is.EqualTo($"{home}unset unset\nafter false\n"), "each command starts afresh, in the login directory");
        Assert.That(stdin.StdOut, Is.EqualTo("read nothing\n"), "a command reading standard input gets end of file, not the shell's own input");
    }

    [Test]
    public async Task A_sequence_runs_in_one_write_in_order_and_stops_at_the_first_disallowed_exit_code()
    {
        await using var transport = new OpenSshTransport();
        IRemoteConnection connection = await transport.ConnectAsync(Node(1), null, CancellationToken.None);
        var marker = $"/tmp/orchestrate-seq-{Guid.NewGuid():N}";
        var lines = new System.Collections.Concurrent.ConcurrentQueue<(int Step, OutputLine Line)>();
        RemoteCommand[] commands =
        [
            new("echo one; echo uno >&2"),
            new("cd /tmp; X=leak; exit 3") { AllowedExitCodes = [0, 3] },
            new("pwd; echo \"${X:-unset}\"") ,
            new("echo four; exit 5"),
            new($"touch {marker}"),
        ];

        var results = await connection.RunSequenceAsync(commands, (step, line) => lines.Enqueue((step, line)), CancellationToken.None);

        Assert.That(results.Select(r => r.ExitCode), Is.EqualTo(new[] { 0, 3, 0, 5 }), "the fifth never ran: the fourth's code is not allowed");
        Assert.That(results[0].StdOut, Is.EqualTo("one\n"));
        Assert.That(results[0].StdErr, Is.EqualTo("uno\n"));
        Assert.That(results[2].StdOut, Does.EndWith("\nunset\n").And.Not.StartWith("/tmp"), "each command of a sequence starts afresh too");
        Assert.That(lines.Where(l => l.Step == 3).Select(l => l.Line.Text), Is.EqualTo(new[] { "four" }));
        var check = await connection.RunAsync(new RemoteCommand($"test -e {marker} && echo exists || echo absent"), null, CancellationToken.None);
        Assert.That(check.StdOut, Is.EqualTo("absent\n"));
        var next = await connection.RunSequenceAsync([new("echo again")], null, CancellationToken.None);
        Assert.That(next.Single().StdOut, Is.EqualTo("again\n"), "the shell is ready for the next sequence");
    }

    [Test]
    public async Task A_cancelled_sequence_kills_the_running_command_and_runs_none_after_it()
    {
        await using var transport = new OpenSshTransport();
        IRemoteConnection connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);
        var marker = $"orchestrate-seqcancel-{Guid.NewGuid():N}";
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));

        Assert.That(
            async () => await connection.RunSequenceAsync([new("true"), new($"sh -c 'sleep 300; echo {marker}'"), new($"touch /tmp/{marker}")], null, cancel.Token),
            Throws.InstanceOf<OperationCanceledException>());

        var left = await connection.RunAsync(new RemoteCommand($"sleep 0.5; ps -eo args | grep -c '[o]rchestrate-seqcancel-{marker[22..]}' || true; test -e /tmp/{marker} && echo ran || echo not run"), null, CancellationToken.None);
        Assert.That(left.StdOut, Is.EqualTo("0\nnot run\n"), "no sleep survives, and the command after it never ran");
    }

    [Test]
    public async Task A_command_past_its_timeout_is_killed_on_the_host_with_what_it_started()
    {
        await using var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);
        var marker = $"orchestrate-timeout-{Guid.NewGuid():N}";

        var clock = Stopwatch.StartNew();
        var result = await connection.RunAsync(new RemoteCommand($"sh -c 'sleep 300; echo {marker}' & sleep 301") { Timeout = TimeSpan.FromMilliseconds(500) }, null, CancellationToken.None);

        Assert.That(result.TimedOut, Is.True);
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(6));
        // The hosts are on this machine: look for this test's own marker only.
        var left = await connection.RunAsync(new RemoteCommand($"ps -eo args | grep -c '[o]rchestrate-timeout-{marker[20..]}' || true"), null, CancellationToken.None);
        Assert.That(left.StdOut.Trim(), Is.EqualTo("0"), "no sleep survives the timeout");
        var next = await connection.RunAsync(new RemoteCommand("echo still usable"), null, CancellationToken.None);
        Assert.That(next.StdOut, Is.EqualTo("still usable\n"));
    }

    [TestCase("echo step 1", true)]
    [TestCase("systemctl restart 'my unit'", true)]
    [TestCase("sh -c 'cd /tmp; X=1; exit 3'", true)]
    [TestCase("ls -la /tmp/*.txt", true)]
    [TestCase("printf \"%s\\n\" plain", false)]
    [TestCase("cd /tmp", false)]
    [TestCase("X=1 make", false)]
    [TestCase("echo $HOME", false)]
    [TestCase("echo \"a $b\"", false)]
    [TestCase("echo `id`", false)]
    [TestCase("true; cd /", false)]
    [TestCase("true && exit", false)]
    [TestCase("ls | head", false)]
    [TestCase("exit 3", false)]
    [TestCase("'cd' /tmp", false)]
    [TestCase("echo 'unterminated", false)]
    [TestCase("echo a > /tmp/f", false)]
    [TestCase("exec /bin/true", false)]
    [TestCase(". ./env.sh", false)]
    [TestCase("echo one\necho two", false)]
    [TestCase("sleep 1 &", false)]
    public void Only_a_simple_command_that_cannot_change_the_shell_runs_without_a_subshell(string script, bool inPlace)
    {
        Assert.That(RemoteShell.RunsInPlace(new RemoteCommand(script)), Is.EqualTo(inPlace));
    }

    [Test]
    public void A_command_with_its_own_directory_variables_or_sudo_gets_a_subshell()
    {
        Assert.That(RemoteShell.RunsInPlace(new RemoteCommand("make") { WorkingDirectory = "/src" }), Is.False);
        Assert.That(RemoteShell.RunsInPlace(new RemoteCommand("make") { Environment = new Dictionary<string, string> { ["CC"] = "gcc" } }), Is.False);
        Assert.That(RemoteShell.RunsInPlace(new RemoteCommand("make") { Sudo = true }), Is.False);
    }

    [Test]
    public async Task A_command_run_in_place_reads_no_input_and_is_killed_alone_on_timeout_or_cancel()
    {
        await using var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(Node(1), null, CancellationToken.None);
        var before = _testbed!.CountAuthentications(_testbed.Hosts[1]);
        var marker = $"orchestrate-inplace-{Guid.NewGuid():N}";

        // `cat` runs in the shell itself: were its input the shell's, it would swallow the commands after it.
        var cat = await connection.RunAsync(new RemoteCommand("cat"), null, CancellationToken.None);
        var timedOut = await connection.RunAsync(new RemoteCommand($"sleep 301.{marker.Length}") { Timeout = TimeSpan.FromMilliseconds(500) }, null, CancellationToken.None);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            Assert.That(
                async () => await connection.RunSequenceAsync([new("true"), new($"sh -c 'sleep 300; echo {marker}'"), new("echo never")], null, cancel.Token),
                Throws.InstanceOf<OperationCanceledException>());
        }

        var left = await connection.RunAsync(new RemoteCommand($"sleep 0.3; ps -eo args | grep -c '[o]rchestrate-inplace-{marker[20..]}\\|[s]leep 301.{marker.Length}' || true"), null, CancellationToken.None);
        var after = await connection.RunSequenceAsync([new("echo still"), new("echo usable")], null, CancellationToken.None);

        Assert.That(cat.ExitCode, Is.EqualTo(0));
        Assert.That(cat.StdOut, Is.Empty);
        Assert.That(timedOut.TimedOut, Is.True);
        Assert.That(left.StdOut.Trim(), Is.EqualTo("0"), "no sleep survives the timeout or the cancel");
        Assert.That(after.Select(r => r.StdOut), Is.EqualTo(new[] { "still\n", "usable\n" }), "the shell the commands ran in lives on");
        Assert.That(_testbed.CountAuthentications(_testbed.Hosts[1]) - before, Is.EqualTo(0), "no new connection was needed");
    }

    [Test]
    public async Task Files_go_in_one_stream_and_come_back_atomically()
    {
        var local = Directory.CreateTempSubdirectory("orchestrate-ship-").FullName;
        try
        {
            string[] names = ["plain.txt", "with space.txt", "quote's.txt", "ünïcode ✓.txt"];
            foreach (var name in names)
            {
                await File.WriteAllTextAsync(Path.Combine(local, name), $"content of {name}\n");
            }

            await using var transport = new OpenSshTransport();
            var connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);
            var remoteDir = $"ship-test-{Guid.NewGuid():N}/sub dir";
            await connection.UploadAsync(names.Select(n => new UploadItem(Path.Combine(local, n), n)).ToList(), remoteDir, CancellationToken.None);

            var listing = await connection.RunAsync(new RemoteCommand($"cat {ShellQuoting.Quote(remoteDir + "/quote's.txt")}"), null, CancellationToken.None);
            Assert.That(listing.StdOut, Is.EqualTo("content of quote's.txt\n"));

            var back = Path.Combine(local, "back", "ü.txt");
            Assert.That(await connection.DownloadAsync(remoteDir + "/ünïcode ✓.txt", back, CancellationToken.None), Is.True);
            Assert.That(await File.ReadAllTextAsync(back), Is.EqualTo("content of ünïcode ✓.txt\n"));
            Assert.That(await connection.DownloadAsync(remoteDir + "/missing.txt", Path.Combine(local, "missing.txt"), CancellationToken.None), Is.False);
            Assert.That(Directory.GetFiles(Path.Combine(local, "back")), Has.Length.EqualTo(1), "no temporary file is left behind");
            await connection.RunAsync(new RemoteCommand($"rm -rf {ShellQuoting.Quote(remoteDir.Split('/')[0])}"), null, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(local, recursive: true);
        }
    }

    [Test]
    public async Task A_host_where_nothing_listens_is_unreachable_with_the_reason()
    {
        await using var transport = new OpenSshTransport();
        var nowhere = Node(0) with { Name = "nowhere", Address = "127.0.0.250", ConnectTimeoutSeconds = 3 };

        var error = Assert.ThrowsAsync<HostUnreachableException>(() => transport.ConnectAsync(nowhere, null, CancellationToken.None));

        Assert.That(error!.Message, Does.StartWith("host nowhere is unreachable: ").And.Contain("Connection refused"));
    }

    [Test]
    public async Task An_unknown_host_key_is_refused_unless_the_inventory_accepts_new_keys()
    {
        var emptyKnownHosts = Path.GetTempFileName();
        try
        {
            await using var transport = new OpenSshTransport();
            var stranger = Node(0) with { Name = "stranger", KnownHostsFile = emptyKnownHosts };

            var error = Assert.ThrowsAsync<HostUnreachableException>(() => transport.ConnectAsync(stranger, null, CancellationToken.None));
            Assert.That(error!.Reason, Does.Contain("Host key verification failed"));

            var accepting = stranger with { Name = "accepting", HostKeyChecking = HostKeyChecking.AcceptNew };
            var connection = await transport.ConnectAsync(accepting, null, CancellationToken.None);
            Assert.That((await connection.RunAsync(new RemoteCommand("echo in"), null, CancellationToken.None)).StdOut, Is.EqualTo("in\n"));
            Assert.That(await File.ReadAllTextAsync(emptyKnownHosts), Does.Contain("ssh-ed25519"), "accept-new remembers the key");
        }
        finally
        {
            File.Delete(emptyKnownHosts);
        }
    }

    [Test]
    public async Task Disposing_the_transport_closes_every_connection()
    {
        var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(Node(0), null, CancellationToken.None);
        await connection.RunAsync(new RemoteCommand("true"), null, CancellationToken.None);

        await transport.DisposeAsync();

        var masters = Process.GetProcessesByName("ssh").Count(p => p.Parent()?.Id == Environment.ProcessId);
        Assert.That(masters, Is.EqualTo(0), "no ssh process of ours is left");
    }
}

internal static class ProcessParent
{
    public static Process? Parent(this Process process)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return Process.GetProcessById(int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
