using Orchestrate.Remote;
using Orchestrate.Remote.OpenSsh;
using Orchestrate.Tests.Remote.Transport;

namespace Orchestrate.Tests.Remote;

/// <summary>What a host, or an inventory, cannot make Orchestrate do: write outside the folder a fetch was asked
/// for, connect with host key checking off, read paths other than the ones given. Real sshd hosts on loopback.</summary>
[TestFixture]
[NonParallelizable]
public class HostileInputTests : LoopbackHostsFixture
{
    // A host task on node1 whose method body does the work (through the RemoteContext).
    private static TaskDescriptor OnHost(string name, Func<RemoteContext, Task> body) => new()
    {
        Name = name,
        Hosts = "node1",
        Invoke = async invocation =>
        {
            await body((RemoteContext)invocation.Context);
            return null;
        },
    };

    private static string RemoteFolder() => $"hostile-{Guid.NewGuid():N}";

    [Test]
    public async Task A_fetched_file_lands_inside_its_folder_whatever_its_name()
    {
        using var cli = Harness();
        var folder = RemoteFolder();
        string? climbing = null;
        cli.Tasks.Add(OnHost("get", async host =>
        {
            // A name made of dots and backslashes is an ordinary name on a POSIX host, and on this machine.
            await host.Shell($"mkdir -p {folder} && printf mark > {folder}/'..\\..\\..\\MARK'");
            climbing = await host.Fetch(folder + "/..\\..\\..\\MARK", "f2/a/b");
        }));

        var result = await cli.RunAsync("get");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(climbing, Is.EqualTo(cli.PathOf("f2/a/b/..\\..\\..\\MARK")));
        Assert.That(File.ReadAllText(cli.PathOf("f2/a/b/..\\..\\..\\MARK")), Is.EqualTo("mark"));
        Assert.That(Directory.GetFiles(cli.Directory, "*MARK*", SearchOption.TopDirectoryOnly), Is.Empty, "nothing lands in the project root");
    }

    [TestCase("..")]
    [TestCase(".")]
    public async Task A_fetch_whose_name_would_leave_the_folder_fails_with_one_line(string name)
    {
        using var cli = Harness();
        var folder = RemoteFolder();
        cli.Tasks.Add(OnHost("get", async host =>
        {
            await host.Shell($"mkdir -p {folder}/sub");
            await host.Fetch($"{folder}/sub/{name}", "into");
        }));

        var result = await cli.RunAsync("get");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain("is not a file name that stays inside that folder"));
        Assert.That(result.Output, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(Directory.Exists(cli.PathOf("into")), Is.False, "nothing was written");
    }

    [Test]
    public async Task A_fetch_of_a_name_near_the_length_limit_works()
    {
        using var cli = Harness();
        var folder = RemoteFolder();
        var name = new string('n', 209) + ".txt";
        string? fetched = null;
        cli.Tasks.Add(OnHost("get", async host =>
        {
            await host.Shell($"mkdir -p {folder} && printf long > {folder}/{name}");
            fetched = await host.Fetch($"{folder}/{name}", "long");
        }));

        var result = await cli.RunAsync("get");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(fetched, Is.EqualTo(cli.PathOf("long/" + name)));
        Assert.That(File.ReadAllText(fetched!), Is.EqualTo("long"));
        Assert.That(Directory.GetFiles(cli.PathOf("long")), Has.Length.EqualTo(1), "no temporary file left");
    }

    [Test]
    public async Task ReadFile_returns_the_files_bytes_and_paths_in_code_are_literal()
    {
        using var cli = Harness();
        var folder = RemoteFolder();
        string? crlf = null, plain = null;
        bool braces = false;
        cli.Tasks.Add(OnHost("read", async host =>
        {
            await host.Shell($"mkdir -p {folder} && printf 'a\\r\\nb' > {folder}/crlf && printf content-0 > {folder}/plain && touch {folder}/'{{x}}'");
            crlf = await host.ReadFile($"{folder}/crlf");
            plain = await host.ReadFile($"{folder}/plain");
            braces = await host.Exists($"{folder}/{{x}}");
        }));

        var result = await cli.RunAsync("read");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(crlf, Is.EqualTo("a\r\nb"));
        Assert.That(plain, Is.EqualTo("content-0"));
        Assert.That(braces, Is.True, "a name with braces is a name, not a substitution");
    }

    [Test]
    public async Task ReadFile_of_a_missing_file_fails_naming_it()
    {
        using var cli = Harness();
        var folder = RemoteFolder();
        cli.Tasks.Add(OnHost("read", async host => await host.ReadFile($"{folder}/nothing")));

        var result = await cli.RunAsync("read");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain($"'{folder}/nothing' does not exist on node1"));
    }

    [Test]
    public async Task One_file_shipped_to_two_folders_is_two_phases_with_names_of_their_own()
    {
        using var cli = Harness();
        var folder = RemoteFolder();
        cli.Write("conf/app.conf", "v1");
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "install",
            Hosts = "node1",
            Ships = [new ShipSpec("conf/app.conf", folder + "/a"), new ShipSpec("conf/app.conf", folder + "/b")],
            RemoteSteps = [new RemoteStepSpec($"cat {folder}/a/app.conf {folder}/b/app.conf")],
            Invoke = _ => ValueTask.FromResult<object?>(null),
        });

        var result = await cli.RunAsync("install");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("ok install:node1::ship_file:conf/app.conf "));
        Assert.That(result.Output, Does.Contain("ok install:node1::ship_file:conf/app.conf#2 "));
        Assert.That(result.Output, Does.Match(@"install:node1::remote_steps +\| v1v1"));
    }

    // Each way of turning host key checking off that an exact-string check on the arguments misses.
    public static IEnumerable<TestCaseData> CheckingOff()
    {
        yield return new TestCaseData(HostKeyChecking.AcceptNew, (string[])["-o", "UserKnownHostsFile=/dev//null"], null, "where no key can be remembered")
            .SetArgDisplayNames("accept-new into /dev//null");
        yield return new TestCaseData(HostKeyChecking.Default, (string[])["-o", "KnownHostsCommand=/bin/cat /dev/null"], null, "KnownHostsCommand is set")
            .SetArgDisplayNames("KnownHostsCommand");
        yield return new TestCaseData(HostKeyChecking.Default, (string[])["-F", "{config}"], "Host *\n  StrictHostKeyChecking no\n", "StrictHostKeyChecking is no")
            .SetArgDisplayNames("-F file saying no");
        yield return new TestCaseData(HostKeyChecking.AcceptNew, (string[])["-F", "{config}"], "Host *\n  UserKnownHostsFile /dev/./null\n", "where no key can be remembered")
            .SetArgDisplayNames("-F file with /dev/./null");
    }

    [TestCaseSource(nameof(CheckingOff))]
    public async Task A_connection_with_host_key_checking_off_is_refused_before_it_logs_in(HostKeyChecking policy, string[] arguments, string? config, string what)
    {
        var host = Testbed.Hosts[0];
        var directory = Directory.CreateTempSubdirectory("orchestrate-guard-").FullName;
        try
        {
            var configFile = Path.Combine(directory, "ssh_config");
            if (config is not null)
            {
                File.WriteAllText(configFile, config);
            }

            // No known_hosts of the testbed's: the trust store is whatever the arguments leave.
            var spec = OpenSshTransportTests.Spec(Testbed, host) with
            {
                KnownHostsFile = null,
                HostKeyChecking = policy,
                SshArguments = [.. arguments.Select(a => a.Replace("{config}", configFile, StringComparison.Ordinal))],
            };
            var logins = Testbed.CountAuthentications(host);
            await using var transport = new OpenSshTransport();

            var error = Assert.ThrowsAsync<HostUnreachableException>(async () => await transport.ConnectAsync(spec, null, CancellationToken.None));

            Assert.That(error!.Message, Does.Contain(what));
            Assert.That(error.Message, Does.Contain("turns host key checking off"));
            Assert.That(error.Message, Does.Contain("HostKeyChecking: AcceptNew"), "says how to trust a host on first contact instead");
            Assert.That(Testbed.CountAuthentications(host), Is.EqualTo(logins), "nothing logged in");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task The_testbeds_own_settings_pass_the_guard()
    {
        await using var transport = new OpenSshTransport();
        var connection = await transport.ConnectAsync(OpenSshTransportTests.Spec(Testbed, Testbed.Hosts[0]), null, CancellationToken.None);

        var result = await connection.RunAsync(new RemoteCommand("echo in"), null, CancellationToken.None);

        Assert.That(result.StdOut, Is.EqualTo("in\n"));
    }
}
