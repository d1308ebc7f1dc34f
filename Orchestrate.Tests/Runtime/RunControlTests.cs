using System.Diagnostics;
using Orchestrate.Planning;
using Orchestrate.Scheduling;
using static Orchestrate.Tests.Runtime.SchedulingTests;

namespace Orchestrate.Tests.Runtime;

/// <summary>Critical, tolerated and default failures, forever tasks, timeouts, resource limits and sequences,
/// with real processes and real time.</summary>
[TestFixture]
public class RunControlTests
{
    // A task that starts `sleep 30` in the background of its shell, writes its pid, and waits for it.
    private static Func<TaskContext, Task> LongSleep(string pidFile) =>
        ctx => ctx.Shell($"sleep 30 & echo $! > '{pidFile}'; wait");

    private static Func<TaskContext, Task> FailWhenExists(string file, string message) =>
        async ctx =>
        {
            await WaitForPidAsync(file);
            throw new InvalidOperationException(message);
        };

    [Test]
    public async Task A_critical_failure_aborts_the_run_and_kills_the_running_tasks()
    {
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "serve.pid");
        run.Add("serve", LongSleep(pidFile));
        run.Add("boom", FailWhenExists(pidFile, "boom"), critical: true);
        run.Add("after-boom", _ => Task.CompletedTask, ["boom"]);
        run.Add("after-serve", _ => Task.CompletedTask, ["serve"]);

        var clock = Stopwatch.StartNew();
        var outcome = await run.RunAsync(["after-boom", "after-serve"]);
        var pid = await WaitForPidAsync(pidFile);

        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10), "the abort does not wait for the 30 s sleep");
        Assert.That(ProcessAlive(pid), Is.False, "the sleep of the cancelled task is killed");
        Assert.That(outcome.Succeeded, Is.False);
        Assert.That(outcome.AbortedBy, Is.EqualTo("boom"));
        Assert.That(outcome.StatusOf("boom"), Is.EqualTo(TaskRunStatus.Failed));
        Assert.That(outcome.StatusOf("serve"), Is.EqualTo(TaskRunStatus.Cancelled));
        Assert.That(outcome.Of("serve").Error?.Message, Is.EqualTo("cancelled: critical task 'boom' failed"));
        Assert.That(outcome.StatusOf("after-serve"), Is.EqualTo(TaskRunStatus.NotRun));
        Assert.That(outcome.StatusOf("after-boom"), Is.Not.EqualTo(TaskRunStatus.Succeeded));
        Assert.That(run.Cli.Order, Does.Not.Contain("after-boom").And.Not.Contain("after-serve"));
    }

    [Test]
    public async Task A_critical_failure_exits_1_and_leaves_no_child_process()
    {
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "serve.pid");
        run.Add("serve", LongSleep(pidFile));
        run.Add("boom", FailWhenExists(pidFile, "boom"), critical: true);

        var clock = Stopwatch.StartNew();
        var result = await run.Cli.RunAsync("serve", "boom");
        var pid = await WaitForPidAsync(pidFile);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10));
        Assert.That(ProcessAlive(pid), Is.False);
        Assert.That(result.Output, Does.Contain("FAILED boom"));
    }

    [Test]
    public async Task Without_the_attribute_a_failure_lets_running_tasks_finish()
    {
        using var run = new RunControlHarness();
        var marker = Path.Combine(run.Directory, "started");
        run.Add("steady", async ctx =>
        {
            await File.WriteAllTextAsync(marker, "1");
            await ctx.Run("sleep", "0.6");
        });
        run.Add("flaky", FailWhenExists(marker, "flaky"));

        var outcome = await run.RunAsync(["steady", "flaky"]);

        Assert.That(outcome.AbortedBy, Is.Null);
        Assert.That(outcome.StatusOf("flaky"), Is.EqualTo(TaskRunStatus.Failed));
        Assert.That(outcome.StatusOf("steady"), Is.EqualTo(TaskRunStatus.Succeeded), "doit's rule: running tasks finish");
    }

    [Test]
    public async Task With_critical_on_the_command_line_a_task_that_does_not_say_aborts_and_a_non_critical_one_is_tolerated()
    {
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "serve.pid");
        run.Add("serve", LongSleep(pidFile));
        run.Add("tolerated", _ => throw new InvalidOperationException("tolerated"), critical: false);
        run.Add("after-tolerated", _ => Task.CompletedTask, ["tolerated"]);
        run.Add("flaky", async ctx =>
        {
            await WaitForPidAsync(pidFile);
            while (!run.Cli.Times.ContainsKey("after-tolerated"))
            {
                await Task.Delay(20);
            }

            throw new InvalidOperationException("flaky");
        });

        var clock = Stopwatch.StartNew();
        var result = await run.Cli.RunAsync("serve", "flaky", "after-tolerated", "-j", "4", "--critical");
        var pid = await WaitForPidAsync(pidFile);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10), "flaky is critical under --critical: serve is cancelled");
        Assert.That(ProcessAlive(pid), Is.False);
        Assert.That(run.Cli.Order, Does.Contain("after-tolerated"), "a [Critical(false)] failure lets its dependents run");
    }

    [Test]
    public async Task The_runs_timeout_cuts_running_tasks_starts_nothing_more_and_exits_1()
    {
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "slow.pid");
        run.Add("slow", LongSleep(pidFile));
        run.Add("after-slow", _ => Task.CompletedTask, ["slow"]);
        run.Add("quick", _ => Task.CompletedTask);

        var clock = Stopwatch.StartNew();
        var result = await run.Cli.RunAsync("after-slow", "quick", "--timeout", "1");
        var pid = await WaitForPidAsync(pidFile);

        Assert.That(result.ExitCode, Is.EqualTo(1), "a timed-out run fails with 1, not 130\n" + result);
        Assert.That(clock.Elapsed.TotalSeconds, Is.InRange(0.9, 10));
        Assert.That(ProcessAlive(pid), Is.False, "no child process outlives the run");
        Assert.That(run.Cli.Order, Does.Contain("quick").And.Not.Contain("after-slow"));
    }

    [Test]
    public async Task The_runs_timeout_names_the_tasks_it_cut()
    {
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "slow.pid");
        run.Add("slow", LongSleep(pidFile));
        run.Add("after-slow", _ => Task.CompletedTask, ["slow"]);
        run.Add("quick", _ => Task.CompletedTask);

        var outcome = await run.RunAsync(["after-slow", "quick"], new SchedulerOptions { Timeout = TimeSpan.FromSeconds(1) });

        Assert.That(outcome.TimedOut, Is.True);
        Assert.That(outcome.Cancelled, Is.False);
        Assert.That(outcome.Succeeded, Is.False);
        Assert.That(outcome.StatusOf("slow"), Is.EqualTo(TaskRunStatus.TimedOut));
        Assert.That(outcome.Of("slow").Error?.Message, Is.EqualTo("cut by the run's timeout (1s)"));
        Assert.That(outcome.StatusOf("after-slow"), Is.EqualTo(TaskRunStatus.NotRun));
        Assert.That(outcome.StatusOf("quick"), Is.EqualTo(TaskRunStatus.Succeeded));
        Assert.That(ProcessAlive(await WaitForPidAsync(pidFile)), Is.False);
    }

    [Test]
    public async Task A_tasks_own_timeout_kills_its_processes_and_fails_it()
    {
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "hang.pid");
        run.Add("hang", LongSleep(pidFile), timeout: 0.5);
        run.Add("after-hang", _ => Task.CompletedTask, ["hang"]);
        run.Add("other", ctx => ctx.Run("sleep", "0.1"));

        var clock = Stopwatch.StartNew();
        var outcome = await run.RunAsync(["after-hang", "other"]);

        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10));
        Assert.That(ProcessAlive(await WaitForPidAsync(pidFile)), Is.False);
        Assert.That(outcome.TimedOut, Is.False, "the run itself had no timeout");
        Assert.That(outcome.StatusOf("hang"), Is.EqualTo(TaskRunStatus.TimedOut));
        Assert.That(outcome.Of("hang").Error?.Message, Is.EqualTo("timed out after 0.5s"));
        Assert.That(outcome.StatusOf("after-hang"), Is.EqualTo(TaskRunStatus.Blocked), "a timeout is a failure: it blocks dependents");
        Assert.That(outcome.StatusOf("other"), Is.EqualTo(TaskRunStatus.Succeeded));
    }

    [Test]
    public async Task A_task_forking_children_as_it_is_cut_leaves_none_behind()
    {
        // The shell forks all the time: a kill that lists the tree once and kills it would miss the child forked
        // in between, which would then outlive the run.
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "children.pid");
        run.Add("spawner", ctx => ctx.Shell($"while true; do sleep 30 & echo $! >> '{pidFile}'; done"), timeout: 0.5);

        var outcome = await run.RunAsync(["spawner"]);
        await Task.Delay(200);

        Assert.That(outcome.StatusOf("spawner"), Is.EqualTo(TaskRunStatus.TimedOut));
        var pids = (await File.ReadAllLinesAsync(pidFile)).Where(l => l.Length > 0).Select(int.Parse).ToArray();
        Assert.That(pids, Is.Not.Empty);
        Assert.That(pids.Where(ProcessAlive), Is.Empty, "every child is killed with its shell");
    }

    [Test]
    public async Task A_tasks_own_timeout_through_the_command_line_exits_1()
    {
        using var run = new RunControlHarness();
        run.Add("hang", ctx => ctx.Run("sleep", "30"), timeout: 0.5);

        var clock = Stopwatch.StartNew();
        var result = await run.Cli.RunAsync("hang");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10));
    }

    [Test]
    public async Task A_non_critical_task_past_its_timeout_is_tolerated()
    {
        using var run = new RunControlHarness();
        run.Add("probe", ctx => ctx.Run("sleep", "30"), critical: false, timeout: 0.3);
        run.Add("after-probe", _ => Task.CompletedTask, ["probe"]);

        var outcome = await run.RunAsync(["after-probe"]);
        var result = await run.Cli.RunAsync("after-probe");

        Assert.That(outcome.StatusOf("probe"), Is.EqualTo(TaskRunStatus.Tolerated));
        Assert.That(outcome.Of("probe").Error?.Message, Is.EqualTo("timed out after 0.3s"));
        Assert.That(outcome.StatusOf("after-probe"), Is.EqualTo(TaskRunStatus.Succeeded));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
    }

    [Test]
    public async Task A_task_that_ignores_its_token_is_given_up_on_after_its_timeout_and_the_grace_period()
    {
        using var run = new RunControlHarness();
        var release = new TaskCompletionSource();
        run.Add("stubborn", _ => release.Task, timeout: 0.3);

        var clock = Stopwatch.StartNew();
        var outcome = await run.RunAsync(["stubborn"], new SchedulerOptions { CancellationGrace = TimeSpan.FromMilliseconds(300) });
        release.SetResult();

        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(5));
        Assert.That(outcome.StatusOf("stubborn"), Is.EqualTo(TaskRunStatus.TimedOut));
    }

    [Test]
    public async Task A_forever_task_is_stopped_once_every_other_task_is_done_and_its_dependents_wait_only_for_its_start()
    {
        using var run = new RunControlHarness();
        var pidFile = Path.Combine(run.Directory, "tail.pid");
        run.Add("tail", LongSleep(pidFile), forever: true);
        // Needs the forever task: waits only for it to have started.
        run.Add("work", async ctx =>
        {
            await WaitForPidAsync(pidFile);
            await ctx.Run("sleep", "0.2");
        }, ["tail"]);

        var clock = Stopwatch.StartNew();
        var outcome = await run.RunAsync(["work"]);

        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10), "the run does not wait for the forever task");
        Assert.That(outcome.Succeeded, Is.True, string.Join(", ", outcome.Tasks));
        Assert.That(outcome.StatusOf("work"), Is.EqualTo(TaskRunStatus.Succeeded));
        Assert.That(outcome.StatusOf("tail"), Is.EqualTo(TaskRunStatus.Stopped));
        Assert.That(ProcessAlive(await WaitForPidAsync(pidFile)), Is.False, "the forever task's process is killed");
        Assert.That(run.Interval("work").End, Is.LessThanOrEqualTo(run.Interval("tail").End));
    }

    [Test]
    public async Task A_forever_task_that_fails_by_itself_is_a_failure()
    {
        using var run = new RunControlHarness();
        run.Add("monitor", _ => throw new InvalidOperationException("bus closed"), forever: true, critical: true);
        run.Add("work", ctx => ctx.Run("sleep", "20"));

        var clock = Stopwatch.StartNew();
        var outcome = await run.RunAsync(["monitor", "work"]);

        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10));
        Assert.That(outcome.AbortedBy, Is.EqualTo("monitor"));
        Assert.That(outcome.StatusOf("monitor"), Is.EqualTo(TaskRunStatus.Failed));
        Assert.That(outcome.StatusOf("work"), Is.EqualTo(TaskRunStatus.Cancelled));
    }

    [Test]
    public async Task A_run_of_forever_tasks_only_goes_on_until_its_timeout_and_fails()
    {
        // asynciojobs' global-timeout example: one forever job, orchestrate(timeout=0.25) returns False.
        using var run = new RunControlHarness();
        var ticks = 0;
        run.Add("forever", async ctx =>
        {
            while (true)
            {
                Interlocked.Increment(ref ticks);
                await Task.Delay(100, ctx.CancellationToken);
            }
        }, forever: true);

        var result = await run.Cli.RunAsync("forever", "--timeout", "0.5");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(ticks, Is.InRange(2, 30), "it ran until the timeout");
    }

    [Test]
    public async Task A_resource_of_limit_one_never_lets_two_tasks_overlap_and_does_not_hold_up_other_tasks()
    {
        using var run = new RunControlHarness();
        ResourceSpec[] db = [new("db", 1)];
        run.Sleeper("migrate-a", 0.3, resources: db);
        run.Sleeper("migrate-b", 0.3, resources: db);
        run.Sleeper("migrate-c", 0.3, resources: db);
        run.Sleeper("docs", 0.2);

        var result = await run.Cli.RunAsync("migrate-a", "migrate-b", "migrate-c", "docs", "-j", "4");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(run.MostAtOnce("migrate-a", "migrate-b", "migrate-c"), Is.EqualTo(1));
        var firstMigration = new[] { "migrate-a", "migrate-b", "migrate-c" }.Min(t => run.Interval(t).End);
        Assert.That(run.Interval("docs").Start, Is.LessThan(firstMigration), "a task without the resource starts while migrations wait");
    }

    [Test]
    public async Task A_resource_of_limit_two_lets_two_tasks_run_at_once_but_not_three()
    {
        using var run = new RunControlHarness();
        ResourceSpec[] link = [new("link", 2)];
        foreach (var name in new[] { "up-1", "up-2", "up-3", "up-4" })
        {
            run.Sleeper(name, 0.4, resources: link);
        }

        var result = await run.Cli.RunAsync("up-1", "up-2", "up-3", "up-4", "-j", "4");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(run.MostAtOnce("up-1", "up-2", "up-3", "up-4"), Is.EqualTo(2));
    }

    [Test]
    public async Task The_smallest_declared_limit_applies_and_the_command_line_overrides_it()
    {
        using var run = new RunControlHarness();
        run.Sleeper("a", 0.4, resources: [new("db", 3)]);
        run.Sleeper("b", 0.4, resources: [new("db", 1)]);
        run.Sleeper("c", 0.4, resources: [new("db", 3)]);

        var declared = await run.Cli.RunAsync("a", "b", "c", "-j", "4");
        Assert.That(declared.ExitCode, Is.EqualTo(0), declared.ToString());
        Assert.That(run.MostAtOnce("a", "b", "c"), Is.EqualTo(1), "the smallest limit any task declares");

        var overridden = await run.Cli.RunAsync("a", "b", "c", "-j", "4", "--resource", "db=2");
        Assert.That(overridden.ExitCode, Is.EqualTo(0), overridden.ToString());
        Assert.That(run.MostAtOnce("a", "b", "c"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_resource_limit_from_configuration_applies_and_the_command_line_wins_over_it()
    {
        using var run = new RunControlHarness();
        run.Sleeper("a", 0.4, resources: [new("db", 1)]);
        run.Sleeper("b", 0.4, resources: [new("db", 1)]);
        run.Sleeper("c", 0.4, resources: [new("db", 1)]);
        run.Cli.Write("appsettings.json", """{ "Orchestrate": { "Resources": { "db": 3 } } }""");

        var configured = await run.Cli.RunAsync("a", "b", "c", "-j", "4");
        Assert.That(configured.ExitCode, Is.EqualTo(0), configured.ToString());
        Assert.That(run.MostAtOnce("a", "b", "c"), Is.EqualTo(3));

        var overridden = await run.Cli.RunAsync("a", "b", "c", "-j", "4", "--resource", "db=1");
        Assert.That(overridden.ExitCode, Is.EqualTo(0), overridden.ToString());
        Assert.That(run.MostAtOnce("a", "b", "c"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_sequence_with_a_nested_sequence_runs_in_the_declared_order()
    {
        using var run = new RunControlHarness();
        run.Sleeper("setup", 0.1);
        foreach (var name in new[] { "fetch", "configure", "compile", "publish" })
        {
            run.Sleeper(name, 0.1);
        }

        run.Sequence("build", ["configure", "compile"]);
        run.Sequence("release", ["fetch", "build", "publish"], dependsOn: ["setup"]);

        var result = await run.Cli.RunAsync("release", "-j", "8");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        string[] order = ["setup", "fetch", "configure", "compile", "build", "publish", "release"];
        Assert.That(run.Cli.Order, Is.EqualTo(order));
        for (var i = 1; i < order.Length; i++)
        {
            Assert.That(run.Interval(order[i]).Start, Is.GreaterThanOrEqualTo(run.Interval(order[i - 1]).End), $"{order[i]} starts after {order[i - 1]} ended");
        }
    }

    [Test]
    public void Sequence_edges_are_in_the_graph_for_hand_built_descriptors()
    {
        using var run = new RunControlHarness();
        run.Add("a", _ => Task.CompletedTask);
        run.Add("b", _ => Task.CompletedTask);
        run.Add("c", _ => Task.CompletedTask);
        run.Add("before", _ => Task.CompletedTask);
        run.Sequence("inner", ["b", "c"]);
        run.Sequence("outer", ["inner", "a"], dependsOn: ["before"]);

        var graph = TaskGraph.Build(run.Cli.Tasks);

        string[] DependenciesOf(string task) =>
            graph.TryFind(task, out var i) ? [.. graph.Dependencies[i].Select(d => graph.Tasks[d.Task].Name).Order()] : throw new AssertionException(task);
        Assert.That(DependenciesOf("b"), Is.EqualTo(new[] { "before" }), "the outer sequence's dependencies go to its first element's entry");
        Assert.That(DependenciesOf("c"), Is.EqualTo(new[] { "b" }));
        Assert.That(DependenciesOf("inner"), Is.EqualTo(new[] { "c" }));
        Assert.That(DependenciesOf("a"), Is.EqualTo(new[] { "inner" }), "after a sequence means after its own node");
        Assert.That(DependenciesOf("outer"), Is.EqualTo(new[] { "a", "before" }));
        Assert.That(graph.Dependencies[graph.TryFind("c", out var c) ? c : -1].Single().Kind, Is.EqualTo(DependencyKind.Sequence));
    }

    [Test]
    public void A_host_task_in_a_sequence_waits_on_every_host()
    {
        using var run = new RunControlHarness();
        run.Add("build", _ => Task.CompletedTask);
        run.Add("notify", _ => Task.CompletedTask);
        // The shape host expansion gives a host task: one node per host, and a group node that joins them.
        run.Cli.Tasks.Add(new TaskDescriptor { Name = "deploy:n1", Host = "n1", Invoke = _ => ValueTask.FromResult<object?>(null) });
        run.Cli.Tasks.Add(new TaskDescriptor { Name = "deploy:n2", Host = "n2", Invoke = _ => ValueTask.FromResult<object?>(null) });
        run.Cli.Tasks.Add(new TaskDescriptor { Name = "deploy", IsHostGroup = true, DependsOn = ["deploy:n1", "deploy:n2"], Invoke = _ => ValueTask.FromResult<object?>(null) });
        run.Sequence("release", ["build", "deploy", "notify"]);

        var graph = TaskGraph.Build(run.Cli.Tasks);

        string[] DependenciesOf(string task) =>
            graph.TryFind(task, out var i) ? [.. graph.Dependencies[i].Select(d => graph.Tasks[d.Task].Name).Order()] : throw new AssertionException(task);
        Assert.That(DependenciesOf("deploy:n1"), Is.EqualTo(new[] { "build" }), "each host starts after the element before");
        Assert.That(DependenciesOf("deploy:n2"), Is.EqualTo(new[] { "build" }));
        Assert.That(DependenciesOf("notify"), Is.EqualTo(new[] { "deploy" }), "the next element waits for every host");
    }

    [Test]
    public void A_sequence_naming_no_task_or_making_a_cycle_is_rejected_with_one_clear_line()
    {
        using var unknown = new RunControlHarness();
        unknown.Add("a", _ => Task.CompletedTask);
        unknown.Sequence("deploy", ["a", "stup"]);
        Assert.That(() => TaskGraph.Build(unknown.Cli.Tasks), Throws.TypeOf<GraphException>().With.Message.EqualTo(
            "task 'deploy' has 'stup' in its [Sequence], which is not a task: declare it with [Task] or fix the name"));

        using var cycle = new RunControlHarness();
        cycle.Add("a", _ => Task.CompletedTask);
        cycle.Add("b", _ => Task.CompletedTask, ["s"]);
        cycle.Sequence("s", ["a", "b"]);
        Assert.That(() => TaskGraph.Build(cycle.Cli.Tasks), Throws.TypeOf<GraphException>().With.Message.StartsWith("dependency cycle: ").And.Message.Contains("remove one of these dependencies"));

        using var nested = new RunControlHarness();
        nested.Add("x", _ => Task.CompletedTask);
        nested.Sequence("s", ["t"], dependsOn: ["x"]);
        nested.Sequence("t", ["s"]);
        Assert.That(() => TaskGraph.Build(nested.Cli.Tasks), Throws.TypeOf<GraphException>().With.Message.StartsWith("dependency cycle: ").And.Message.Contains("each sequence starts with the next"));
    }

    [Test]
    public async Task A_sequence_cycle_on_the_command_line_is_exit_code_2()
    {
        using var run = new RunControlHarness();
        run.Add("a", _ => Task.CompletedTask, ["s"]);
        run.Sequence("s", ["a"]);

        var result = await run.Cli.RunAsync("s");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("dependency cycle"));
        Assert.That(result.Error, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(run.Cli.Order, Is.Empty);
    }
}
