using System.Diagnostics;

namespace Orchestrate.Tests.Runtime;

[TestFixture]
public class SchedulingTests
{
    [Test]
    public async Task A_task_runs_after_everything_it_depends_on()
    {
        using var cli = new CliHarness();
        cli.Add("fetch");
        cli.Add("compile", ["fetch"]);
        cli.Add("test", ["compile"]);
        cli.Add("unrelated");

        var result = await cli.RunAsync("test");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.Order, Is.EqualTo(new[] { "fetch", "compile", "test" }), "unrelated is not requested and must not run");
        Assert.That(result.Output, Does.Contain("done: 3 tasks"));
    }

    [Test]
    public async Task A_file_dep_that_is_another_tasks_target_orders_the_two()
    {
        using var cli = new CliHarness();
        cli.Add("link", async ctx => await File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "app"), File.ReadAllText(Path.Combine(ctx.ProjectDirectory, "app.o"))), fileDeps: ["./app.o"], targets: ["app"]);
        cli.Add("compile", async ctx => await File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "app.o"), "object"), targets: ["app.o"]);

        var result = await cli.RunAsync("link");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.Order, Is.EqualTo(new[] { "compile", "link" }));
        Assert.That(File.ReadAllText(Path.Combine(cli.Directory, "app")), Is.EqualTo("object"));
    }

    [Test]
    public async Task Independent_tasks_run_in_parallel()
    {
        using var cli = new CliHarness();
        cli.Add("left", ctx => ctx.Run("sleep", "0.3"));
        cli.Add("right", ctx => ctx.Run("sleep", "0.3"));
        cli.Add("both", ["left", "right"]);

        var clock = Stopwatch.StartNew();
        var result = await cli.RunAsync("both", "-j", "2");
        clock.Stop();

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.Seconds("left"), Is.GreaterThanOrEqualTo(0.29), "each task really sleeps 300 ms");
        Assert.That(cli.Seconds("right"), Is.GreaterThanOrEqualTo(0.29));
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(0.55), "two 300 ms tasks side by side take well under 600 ms");
        var (leftStart, leftEnd) = cli.Times["left"];
        var (rightStart, rightEnd) = cli.Times["right"];
        Assert.That(leftStart < rightEnd && rightStart < leftEnd, Is.True, "the two tasks overlap in time");
    }

    [Test]
    public async Task Jobs_one_runs_tasks_one_at_a_time()
    {
        using var cli = new CliHarness();
        cli.Add("left", ctx => ctx.Run("sleep", "0.2"));
        cli.Add("right", ctx => ctx.Run("sleep", "0.2"));

        var result = await cli.RunAsync("left", "right", "-j", "1");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var (leftStart, leftEnd) = cli.Times["left"];
        var (rightStart, rightEnd) = cli.Times["right"];
        Assert.That(leftEnd <= rightStart || rightEnd <= leftStart, Is.True, "with -j 1 the tasks must not overlap");
    }

    [Test]
    public async Task A_failing_task_stops_its_dependents_and_says_why()
    {
        using var cli = new CliHarness();
        cli.Add("compile", ctx => ctx.Shell("echo 'starting compile'; echo 'main.c:3: error: expected ;' >&2; exit 3"));
        cli.Add("link", ["compile"]);
        cli.Add("package", ["link"]);

        var result = await cli.RunAsync("package");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(cli.Order, Is.EqualTo(new[] { "compile" }), "link and package must not run");
        Assert.That(result.Output, Does.Contain("FAILED compile: command `echo 'starting compile'; echo 'main.c:3: error: expected ;' >&2; exit 3` exited with code 3"));
        Assert.That(result.Output, Does.Contain("    main.c:3: error: expected ;"), "the last lines of stderr are shown under the failure");
        Assert.That(result.Output, Does.Contain("link (needs compile)"));
        Assert.That(result.Output, Does.Contain("package (needs compile)"));
        Assert.That(result.Output, Does.Contain("1 failed, 2 blocked by a failure"));
    }

    [Test]
    public async Task Output_lines_are_streamed_with_the_task_name_as_prefix()
    {
        using var cli = new CliHarness();
        cli.Add("greet", ctx => ctx.Shell("echo hello; echo to-stderr >&2"));

        var result = await cli.RunAsync("greet");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Lines, Does.Contain("greet | hello"));
        Assert.That(result.Lines, Does.Contain("greet | to-stderr"));
        Assert.That(result.Lines, Does.Contain("-> greet"));
        Assert.That(result.Lines.Any(l => l.StartsWith("ok greet (", StringComparison.Ordinal)), Is.True, result.Output);
    }

    [Test]
    public async Task A_commands_output_is_kept_as_written_and_shown_line_by_line()
    {
        using var cli = new CliHarness();
        string? captured = null;
        cli.Add("crlf", async ctx => captured = (await ctx.Shell("printf 'a\\r\\nb'")).StdOut);

        var result = await cli.RunAsync("crlf");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(captured, Is.EqualTo("a\r\nb"), "no line ending added, none dropped");
        Assert.That(result.Lines, Does.Contain("crlf | a"));
        Assert.That(result.Lines, Does.Contain("crlf | b"));
    }

    [Test]
    public async Task Without_keep_going_the_run_stops_starting_tasks_after_a_failure()
    {
        using var cli = new CliHarness();
        cli.Add("broken", _ => throw new InvalidOperationException("config file missing"));
        cli.Add("after-broken", ["broken"]);
        cli.Add("other", ["gate"]);
        cli.Add("gate", ctx => ctx.Run("sleep", "0.2"));

        var result = await cli.RunAsync("after-broken", "other", "-j", "2");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(cli.Order, Does.Not.Contain("other"), "nothing new starts after the failure");
        Assert.That(cli.Order, Does.Contain("gate"), "tasks already running finish");
        // Where in the user's code it was thrown: file and line when symbols are at hand.
        Assert.That(result.Output, Does.Contain("FAILED broken: InvalidOperationException: config file missing ("));
        Assert.That(result.Output, Does.Contain("not run, the run stopped at the first failure (use --keep-going to run them): other"));
    }

    [Test]
    public async Task Keep_going_runs_everything_the_failure_does_not_block()
    {
        using var cli = new CliHarness();
        cli.Add("broken", ctx => ctx.Shell("exit 1"));
        cli.Add("after-broken", ["broken"]);
        cli.Add("other", ["gate"]);
        cli.Add("gate", ctx => ctx.Run("sleep", "0.2"));

        var result = await cli.RunAsync("after-broken", "other", "-j", "2", "--keep-going");

        Assert.That(result.ExitCode, Is.EqualTo(1), "a failure still fails the run\n" + result);
        Assert.That(cli.Order, Does.Contain("other"));
        Assert.That(cli.Order, Does.Not.Contain("after-broken"));
        Assert.That(result.Output, Does.Contain("after-broken (needs broken)"));
        Assert.That(result.Output, Does.Contain("2 succeeded, 1 failed, 1 blocked by a failure"));
    }

    [Test]
    public async Task Cancelling_the_run_kills_the_child_process_tree_and_exits_130()
    {
        using var cli = new CliHarness();
        var pidFile = Path.Combine(cli.Directory, "sleep.pid");
        cli.Add("serve", ctx => ctx.Shell($"sleep 30 & echo $! > '{pidFile}'; wait"));
        using var cancel = new CancellationTokenSource();

        var run = cli.RunAsync(["serve"], cancel.Token);
        var pid = await WaitForPidAsync(pidFile);
        Assert.That(ProcessAlive(pid), Is.True, "the grandchild sleep is running");
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        var result = await run;

        Assert.That(result.ExitCode, Is.EqualTo(130), result.ToString());
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(3), "cancellation does not wait for the 30 s sleep");
        Assert.That(ProcessAlive(pid), Is.False, "the sleep started by the task's shell must be killed too");
        Assert.That(result.Output, Does.Contain("cancelled serve"));
    }

    [Test]
    public async Task A_command_past_its_timeout_is_killed_and_fails_the_task()
    {
        using var cli = new CliHarness();
        cli.Add("hang", ctx => ctx.Run(["sleep", "20"], new RunOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        var clock = Stopwatch.StartNew();
        var result = await cli.RunAsync("hang");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(3));
        Assert.That(result.Output, Does.Contain("FAILED hang: command `sleep 20` timed out after"));
    }

    [Test]
    public async Task Allowed_exit_codes_count_as_success()
    {
        using var cli = new CliHarness();
        int? seen = null;
        cli.Add("grep", async ctx => seen = (await ctx.Run(["grep", "-q", "absent", "/dev/null"], new RunOptions { AllowedExitCodes = [0, 1] })).ExitCode);

        var result = await cli.RunAsync("grep");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(seen, Is.EqualTo(1));
    }

    internal static async Task<int> WaitForPidAsync(string pidFile)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
            {
                return pid;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{pidFile} was not written");
    }

    internal static bool ProcessAlive(int pid)
    {
        // A killed child may linger as a zombie until reaped; count only live states.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
