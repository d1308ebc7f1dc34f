using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Reporting;

[TestFixture]
public class ConsoleReportTests
{
    /// <summary>Six tasks ending six ways in one run, one job so that the order is fixed: up to date, ignored, a critical
    /// task that succeeds and prints, one whose C# code throws, one not run because the run stopped there, one blocked.</summary>
    private static CliHarness EveryStatus()
    {
        var cli = new CliHarness();
        cli.Write("in.txt", "input");
        cli.Add("gen", ctx => File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "out.txt"), "made"), fileDeps: ["in.txt"], targets: ["out.txt"]);
        cli.Add("skipme");
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "compile",
            Method = "Tests.compile",
            Critical = true,
            Invoke = invocation =>
            {
                invocation.Context.Log("compiling");
                return ValueTask.FromResult<object?>(null);
            },
        });
        cli.Add("crash", _ => throw new InvalidOperationException("the config has no 'port'"));
        cli.Add("late");
        cli.Add("after", _ => Task.CompletedTask, dependsOn: ["crash"]);
        return cli;
    }

    private static async Task<CliResult> RunEveryStatus(CliHarness cli, string symbols)
    {
        Assert.That((await cli.RunAsync("gen")).ExitCode, Is.EqualTo(0));
        Assert.That((await cli.RunAsync("ignore", "skipme")).ExitCode, Is.EqualTo(0));
        var previous = Environment.GetEnvironmentVariable(ReportSymbols.Variable);
        Environment.SetEnvironmentVariable(ReportSymbols.Variable, symbols);
        try
        {
            return await cli.RunAsync("-j", "1", "--no-color");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ReportSymbols.Variable, previous);
        }
    }

    [Test]
    public async Task The_report_lists_every_task_with_its_marks_duration_result_and_requirements()
    {
        using var cli = EveryStatus();

        var result = await RunEveryStatus(cli, "unicode");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Golden.AssertMatches(result.Output, "every-status.unicode.txt");
    }

    [Test]
    public async Task The_report_falls_back_to_ascii_marks()
    {
        using var cli = EveryStatus();

        var result = await RunEveryStatus(cli, "ascii");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Not.Contain("☓").And.Not.Contain("⚠"));
        Golden.AssertMatches(result.Output, "every-status.ascii.txt");
    }

    [Test]
    public async Task The_debrief_gives_each_failures_cause_command_exit_code_output_and_stack()
    {
        using var cli = new CliHarness();
        cli.Add("build", ctx => ctx.Shell("echo 'first line'; echo 'src/a.c:3: error: expected ;' >&2; exit 3"));
        cli.Add("configure", _ => ThrowFromUserCode());
        cli.Add("install", _ => Task.CompletedTask, dependsOn: ["build"]);

        var result = await cli.RunAsync("-k", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        var lines = result.Lines;
        var build = Array.FindIndex(lines, l => l.StartsWith("FAILED build: ", StringComparison.Ordinal));
        Assert.That(build, Is.GreaterThan(0), result.ToString());
        Assert.That(lines[build], Does.Contain("exited with code 3"));
        Assert.That(lines[(build + 1)..], Does.Contain("    src/a.c:3: error: expected ;"));
        var configure = Array.FindIndex(lines, l => l.StartsWith("FAILED configure: InvalidOperationException: no database configured", StringComparison.Ordinal));
        Assert.That(configure, Is.GreaterThan(0), result.ToString());
        Assert.That(lines[configure + 1], Does.StartWith("    at ").And.Contain(nameof(ThrowFromUserCode)), "the stack starts in the user's method");
        Assert.That(result.Output, Does.Contain("failed: 3 tasks in "));
        Assert.That(result.Output, Does.Contain("2 failed, 1 blocked by a failure"));
        Assert.That(result.Output, Does.Contain("not run, blocked by a failed dependency: install (needs build)"));
    }

    [Test]
    public void The_debrief_names_the_critical_task_that_aborted_the_run_and_what_the_timeout_cut()
    {
        var graph = TaskGraph.Build(
        [
            new TaskDescriptor { Name = "serve", IsForever = true, Invoke = _ => ValueTask.FromResult<object?>(null) },
            new TaskDescriptor { Name = "lint", Critical = false, Invoke = _ => ValueTask.FromResult<object?>(null) },
            new TaskDescriptor { Name = "deploy", Critical = true, Invoke = _ => ValueTask.FromResult<object?>(null) },
            new TaskDescriptor { Name = "soak", DependsOn = ["lint"], Invoke = _ => ValueTask.FromResult<object?>(null) },
            new TaskDescriptor { Name = "notify", DependsOn = ["deploy"], Invoke = _ => ValueTask.FromResult<object?>(null) },
        ]);
        var outcome = new RunOutcome(
        [
            new TaskOutcome("serve", TaskRunStatus.Stopped, TimeSpan.FromSeconds(3)),
            new TaskOutcome("lint", TaskRunStatus.Tolerated, TimeSpan.FromSeconds(0.5), new InvalidOperationException("style")),
            new TaskOutcome("deploy", TaskRunStatus.Failed, TimeSpan.FromSeconds(1), new InvalidOperationException("disk full")),
            new TaskOutcome("soak", TaskRunStatus.TimedOut, TimeSpan.FromSeconds(2)),
            new TaskOutcome("notify", TaskRunStatus.NotRun, TimeSpan.Zero),
        ], Cancelled: false, TimeSpan.FromSeconds(3)) { AbortedBy = "deploy", TimedOut = true };
        var output = new StringWriter();
        using (var reporter = new ConsoleReporter(output, new ConsoleReporterOptions { Report = new RunReport(graph, ReportSymbols.Unicode) }))
        {
            reporter.RunStarting(outcome.Tasks.Select(t => t.Name).ToList());
            reporter.RunFinished(outcome);
        }

        Golden.AssertMatches(output.ToString(), "aborted-and-timed-out.txt");
    }

    [Test]
    public async Task A_real_run_reports_forever_tolerated_timed_out_and_aborted_tasks_with_their_marks()
    {
        using var cli = new CliHarness();
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "monitor",
            IsForever = true,
            Invoke = async invocation =>
            {
                await Task.Delay(Timeout.Infinite, invocation.CancellationToken);
                return null;
            },
        });
        cli.Tasks.Add(new TaskDescriptor { Name = "lint", Critical = false, Invoke = _ => throw new InvalidOperationException("style: tabs") });
        cli.Tasks.Add(new TaskDescriptor { Name = "docs", DependsOn = ["lint"], Invoke = _ => ValueTask.FromResult<object?>(null) });
        cli.Tasks.Add(new TaskDescriptor { Name = "soak", Critical = false, Timeout = TimeSpan.FromMilliseconds(300), Invoke = SleepLong });
        using var aborting = new CliHarness();
        aborting.Tasks.Add(new TaskDescriptor { Name = "deploy", Critical = true, Invoke = _ => throw new InvalidOperationException("disk full") });
        aborting.Tasks.Add(new TaskDescriptor { Name = "upload", Invoke = SleepLong });
        aborting.Tasks.Add(new TaskDescriptor { Name = "notify", DependsOn = ["deploy"], Invoke = _ => ValueTask.FromResult<object?>(null) });

        var previous = Environment.GetEnvironmentVariable(ReportSymbols.Variable);
        Environment.SetEnvironmentVariable(ReportSymbols.Variable, "unicode");
        CliResult tolerated, aborted;
        try
        {
            tolerated = await cli.RunAsync("--no-color");
            aborted = await aborting.RunAsync("--no-color", "-j", "2");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ReportSymbols.Variable, previous);
        }

        Assert.That(tolerated.ExitCode, Is.EqualTo(0), "tolerated failures and a stopped forever task do not fail the run\n" + tolerated);
        Assert.That(tolerated.Output, Does.Match(@"\d\d   ☉ ☓ ∞  monitor .* stopped"));
        Assert.That(tolerated.Output, Does.Match(@"\d\d   ★ ☓    lint .* failed, tolerated: InvalidOperationException: style: tabs"));
        Assert.That(tolerated.Output, Does.Match(@"\d\d   ☉ ☓    docs .* ok - requires: \d\d"), "a tolerated failure's dependents run");
        Assert.That(tolerated.Output, Does.Match(@"soak .*timed out after 0\.3s"));
        Assert.That(aborted.ExitCode, Is.EqualTo(1), aborted.ToString());
        Assert.That(aborted.Output, Does.Match(@"\d\d ⚠ ★ ☓    deploy .* FAILED, aborted the run: InvalidOperationException: disk full"));
        Assert.That(aborted.Output, Does.Match(@"\d\d     ⚐    notify"));
        Assert.That(aborted.Output, Does.Contain("ABORTED by the critical task deploy"));
    }

    private static async ValueTask<object?> SleepLong(TaskInvocation invocation)
    {
        await invocation.Context.Shell("sleep 30");
        return null;
    }

    [Test]
    public async Task A_long_run_lists_only_the_tasks_that_did_not_end_well()
    {
        using var cli = new CliHarness();
        for (var i = 0; i < 30; i++)
        {
            cli.Add($"t{i:00}");
        }

        cli.Add("bad", _ => throw new InvalidOperationException("bad"));
        var previous = Environment.GetEnvironmentVariable(RunReport.LimitVariable);
        Environment.SetEnvironmentVariable(RunReport.LimitVariable, "10");
        CliResult result;
        try
        {
            result = await cli.RunAsync("-k", "--no-color");
        }
        finally
        {
            Environment.SetEnvironmentVariable(RunReport.LimitVariable, previous);
        }

        var listed = result.Lines.SkipWhile(l => !l.StartsWith("report (", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith('(')).ToList();
        Assert.That(listed, Has.Count.EqualTo(1), result.ToString());
        Assert.That(listed[0], Does.Contain("bad").And.Contain("FAILED: InvalidOperationException: bad"));
        Assert.That(listed[0], Does.StartWith("31 "), "a task keeps its number in the run");
        Assert.That(result.Output, Does.Contain("(1 of 31 tasks listed: only those that did not end well"));
    }

    [Test]
    public async Task Grouped_output_prints_each_tasks_lines_as_one_block()
    {
        using var cli = new CliHarness();
        foreach (var name in new[] { "left", "right" })
        {
            cli.Add(name, async ctx =>
            {
                for (var i = 0; i < 200; i++)
                {
                    ctx.Log($"{name} line {i}");
                    if (i % 10 == 0)
                    {
                        await Task.Delay(2);
                    }
                }
            });
        }

        var result = await cli.RunAsync("-j", "2", "--output", "grouped", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var (left, right) = (cli.Times["left"], cli.Times["right"]);
        Assert.That(left.Start < right.End && right.Start < left.End, Is.True, "the two tasks ran at the same time");
        var output = result.Lines.Where(l => l.Contains(" | ", StringComparison.Ordinal)).ToList();
        Assert.That(output, Has.Count.EqualTo(400));
        foreach (var name in new[] { "left", "right" })
        {
            var first = output.FindIndex(l => l.StartsWith(name, StringComparison.Ordinal));
            Assert.That(output.Skip(first).Take(200), Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"{name,-5} | {name} line {i}")), $"{name}'s lines are one block, in order");
        }

        var block = Array.FindIndex(result.Lines, l => l.StartsWith("left ", StringComparison.Ordinal));
        Assert.That(result.Lines[block + 200], Does.StartWith("ok left"), "the block comes right before the task's end line");
    }

    [Test]
    public async Task Streamed_output_is_the_default_and_prints_lines_as_they_come()
    {
        using var cli = new CliHarness();
        var seen = false;
        cli.Add("slow", async ctx =>
        {
            ctx.Log("early line");
            await Task.Delay(300);
            seen = cli.Lines().Any(l => l.EndsWith("| early line", StringComparison.Ordinal));
        });

        var result = await cli.RunAsync("--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(seen, Is.True, "the line was out while its task still ran");
    }

    private static Task ThrowFromUserCode() => throw new InvalidOperationException("no database configured");
}
