namespace Orchestrate.Tests.Runtime;

/// <summary>Sub-tasks, create_after (with its target regex) and calc_dep, through the real command line, with real
/// files and processes: descriptors built by hand in the shape the generator will emit.</summary>
[TestFixture]
public class DynamicGraphTests
{
    /// <summary>A group: its method yields sub-tasks, each logging its name in the harness's order when it runs.</summary>
    private static TaskDescriptor Group(CliHarness cli, string name, Func<TaskContext, IEnumerable<SubTask>> yield, string? createAfter = null, string? targetRegex = null)
    {
        var group = new TaskDescriptor
        {
            Name = name,
            Method = $"Tests.{name}",
            YieldsSubTasks = true,
            CreateAfter = createAfter,
            CreateAfterTargetRegex = targetRegex,
            Invoke = invocation => ValueTask.FromResult<object?>(yield(invocation.Context).Select(s => s with
            {
                Action = async ctx =>
                {
                    cli.Order.Enqueue(ctx.TaskName);
                    if (s.Action is { } action)
                    {
                        await action(ctx);
                    }
                },
            }).ToList()),
        };
        cli.Tasks.Add(group);
        return group;
    }

    /// <summary>The seed's example: early makes the .in files listed in list.txt; build, created after it, turns each
    /// *.in into *.out (dropping lines that say "bad").</summary>
    private static CliHarness InToOut(string list = "a b")
    {
        var cli = new CliHarness();
        cli.Write("list.txt", list + "\n");
        // It takes a while (30 ms), so that a time counted from another start than the run's shows.
        cli.Add("early", ctx => ctx.Shell("sleep 0.03; for f in $(cat list.txt); do echo \"$f\" > \"$f.in\"; done"), fileDeps: ["list.txt"]);
        Group(cli, "build", ctx => Directory.GetFiles(ctx.ProjectDirectory, "*.in").Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(file => new SubTask(file!)
        {
            // grep -v fails when every line is dropped: an .in file holding only "bad" fails its sub-task.
            Command = $"grep -v bad {file} > {file![..^3]}.out",
            FileDeps = [file],
            Targets = [file[..^3] + ".out"],
        }), createAfter: "early", targetRegex: @".*\.out");
        return cli;
    }

    [Test]
    public async Task Grouped_output_keeps_each_sub_task_created_at_run_time_in_one_block()
    {
        using var cli = InToOut("a b");
        cli.Tasks.RemoveAll(t => t.Name == "build");
        Group(cli, "build", ctx => Directory.GetFiles(ctx.ProjectDirectory, "*.in").Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(file => new SubTask(file!)
        {
            Action = async sub =>
            {
                for (var i = 0; i < 20; i++)
                {
                    sub.Log($"{file} line {i}");
                    await Task.Delay(2);
                }
            },
        }), createAfter: "early");

        var result = await cli.RunAsync("build", "-j", "2", "--output", "grouped", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        foreach (var sub in new[] { "build:a.in", "build:b.in" })
        {
            var lines = result.Lines.ToList();
            var first = lines.FindIndex(l => l.StartsWith(sub + " ", StringComparison.Ordinal) && l.Contains(" | ", StringComparison.Ordinal));
            Assert.That(first, Is.GreaterThanOrEqualTo(0), result.ToString());
            Assert.That(lines.Skip(first).Take(20).Select(l => l[(l.IndexOf(" | ", StringComparison.Ordinal) + 3)..]), Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"{sub[6..]} line {i}")), $"{sub}'s lines are one block: " + result);
            Assert.That(lines[first + 20], Does.StartWith($"ok {sub}"), "the block comes right before the sub-task's end line");
        }
    }

    [Test]
    public async Task Sub_tasks_created_at_run_time_follow_the_runs_jobs()
    {
        using var cli = InToOut("a b c d");
        var running = 0;
        var most = 0;
        cli.Tasks.RemoveAll(t => t.Name == "build");
        Group(cli, "build", ctx => Directory.GetFiles(ctx.ProjectDirectory, "*.in").Select(Path.GetFileName).Select(file => new SubTask(file!)
        {
            Action = async _ =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                await Task.Delay(150);
                Interlocked.Decrement(ref running);
            },
        }), createAfter: "early");

        var one = await cli.RunAsync("build", "-j", "1");
        var mostWithOne = most;
        most = 0;
        var two = await cli.RunAsync("build", "-j", "2");

        Assert.That(one.ExitCode, Is.EqualTo(0), one.ToString());
        Assert.That(two.ExitCode, Is.EqualTo(0), two.ToString());
        Assert.That(mostWithOne, Is.EqualTo(1), "-j 1: one sub-task at a time");
        Assert.That(most, Is.EqualTo(2), "-j 2: two at a time");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Test]
    public async Task A_sub_task_is_named_group_colon_name_and_the_group_runs_them_all()
    {
        using var cli = new CliHarness();
        Group(cli, "docs", _ => new[] { "intro", "guide" }.Select(page => new SubTask(page)
        {
            Doc = $"render {page}",
            Command = $"mkdir -p out && echo {page} > out/{page}.html",
            Targets = [$"out/{page}.html"],
        }));

        var one = await cli.RunAsync("docs:guide");
        Assert.That(one.ExitCode, Is.EqualTo(0), one.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "docs:guide" }));
        Assert.That(File.ReadAllText(cli.PathOf("out/guide.html")), Is.EqualTo("guide\n"));
        Assert.That(File.Exists(cli.PathOf("out/intro.html")), Is.False, "only the named sub-task runs");

        var all = await cli.RunAsync("docs");
        Assert.That(all.ExitCode, Is.EqualTo(0), all.ToString());
        Assert.That(cli.TakeOrder().Order(), Is.EqualTo(new[] { "docs:guide", "docs:intro" }));
        Assert.That(File.ReadAllText(cli.PathOf("out/intro.html")), Is.EqualTo("intro\n"));
        Assert.That(all.Lines, Does.Not.Contain("-> docs"), "the group's own node runs nothing");

        var list = await cli.RunAsync("list");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.ToString());
        Assert.That(list.Lines.Any(l => l.StartsWith("docs:intro", StringComparison.Ordinal) && l.EndsWith("render intro", StringComparison.Ordinal)), Is.True, list.Output);
        Assert.That(list.Lines.Any(l => l.StartsWith("docs:guide", StringComparison.Ordinal)), Is.True, list.Output);
    }

    [Test]
    public async Task Forget_and_clean_of_a_group_take_its_sub_tasks_along_as_in_doit()
    {
        using var cli = new CliHarness();
        Group(cli, "docs", _ => new[] { "intro", "guide" }.Select(page => new SubTask(page)
        {
            Command = $"mkdir -p out && echo {page} > out/{page}.html",
            Targets = [$"out/{page}.html"],
        }));
        Assert.That((await cli.RunAsync("docs")).ExitCode, Is.EqualTo(0));

        var clean = await cli.RunAsync("clean", "docs");
        Assert.That(clean.Lines.Order(), Is.EqualTo(new[] { "removed out/guide.html (docs:guide)", "removed out/intro.html (docs:intro)" }), clean.ToString());
        Assert.That(File.Exists(cli.PathOf("out/intro.html")), Is.False);

        var forget = await cli.RunAsync("forget", "docs");
        Assert.That(forget.Lines, Is.EqualTo(new[] { "forgot 2 tasks: docs:guide, docs:intro" }), forget.ToString());
    }

    [Test]
    public async Task Two_sub_tasks_with_one_name_are_one_clear_error_and_nothing_runs()
    {
        using var cli = new CliHarness();
        cli.Add("other", _ => Task.CompletedTask);
        Group(cli, "docs", _ => [new SubTask("intro"), new SubTask("intro")]);

        var result = await cli.RunAsync("other");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.Trim(), Is.EqualTo("error: the task graph is invalid: task 'docs' yields two sub-tasks named 'intro': give each sub-task of a group its own name"));
        Assert.That(cli.TakeOrder(), Is.Empty);
    }

    [Test]
    public async Task Create_after_makes_the_sub_tasks_from_what_the_first_task_wrote_and_a_second_run_is_a_no_op()
    {
        using var cli = InToOut();

        var first = await cli.RunAsync("build");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "early", "build:a.in", "build:b.in" }).Or.EqualTo(new[] { "early", "build:b.in", "build:a.in" }));
        Assert.That(File.ReadAllText(cli.PathOf("a.out")), Is.EqualTo("a\n"));
        Assert.That(File.ReadAllText(cli.PathOf("b.out")), Is.EqualTo("b\n"));
        Assert.That(first.Lines, Does.Contain("-> build:a.in (never ran)"));

        var second = await cli.RunAsync("build");
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(cli.TakeOrder(), Is.Empty, second.Output);
        Assert.That(second.Lines, Does.Contain("-- build:a.in (up to date)"));

        cli.Write("list.txt", "a b c\n");
        var third = await cli.RunAsync("build");
        Assert.That(third.ExitCode, Is.EqualTo(0), third.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "early", "build:c.in" }), "a new .in file is a new sub-task; the others are up to date");
        Assert.That(File.ReadAllText(cli.PathOf("c.out")), Is.EqualTo("c\n"));
    }

    [Test]
    public async Task Sub_tasks_of_a_delayed_group_count_in_the_summary_the_report_and_the_events()
    {
        using var cli = InToOut("a b c");
        var report = cli.PathOf("report.json");
        var events = cli.PathOf("events.jsonl");

        var first = await cli.RunAsync("build", "--report", report, "--events", events);

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        // early and the three sub-tasks; the group's own node only gathers them, as a static group's does.
        Assert.That(first.Lines.Single(l => l.StartsWith("done: ", StringComparison.Ordinal)), Does.StartWith("done: 4 tasks in ").And.EndWith(": 4 succeeded"));
        var lines = first.Lines.SkipWhile(l => !l.StartsWith("report (", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("done: ", StringComparison.Ordinal)).ToList();
        Assert.That(lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]), Is.EqualTo(new[] { "early", "build:a.in", "build:b.in", "build:c.in", "build" }), first.Output);
        Assert.That(lines[1], Does.Match(@"^02   ☉ ☓    build:a\.in +\d+\.\d\ds  ok$"));
        Assert.That(lines[4], Does.EndWith("all its parts done - requires: 01, 02, 03, 04"));

        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report)))
        {
            var root = json.RootElement;
            Assert.That(root.GetProperty("counts").GetProperty("succeeded").GetInt32(), Is.EqualTo(4));
            var tasks = root.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
            Assert.That(tasks.Keys, Is.EqualTo(new[] { "early", "build:a.in", "build:b.in", "build:c.in", "build" }));
            var sub = tasks["build:b.in"];
            Assert.That(sub.GetProperty("status").GetString(), Is.EqualTo("succeeded"));
            Assert.That(sub.GetProperty("reason").GetString(), Is.EqualTo("never ran"));
            // A task's end is taken when the scheduler sees it, which can come a few milliseconds after the tasks that
            // waited for it were released (another thread, under load): the end of early may be recorded up to that much
            // late. Counted from the nested run's own start instead, build:b.in would show started near 0.
            const double SeenLate = 0.005;
            Assert.That(sub.GetProperty("started").GetDouble(), Is.GreaterThanOrEqualTo(tasks["early"].GetProperty("started").GetDouble() + tasks["early"].GetProperty("duration").GetDouble() - SeenLate),
                "started counts from the run's start: after early ended");
            Assert.That(tasks["build"].GetProperty("requires").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "early", "build:a.in", "build:b.in", "build:c.in" }));
        }

        var finish = System.Text.Json.JsonDocument.Parse(File.ReadLines(events).Last()).RootElement;
        Assert.That(finish.GetProperty("event").GetString(), Is.EqualTo("run-finish"));
        Assert.That(finish.GetProperty("counts").GetProperty("succeeded").GetInt32(), Is.EqualTo(4));
        Assert.That(File.ReadLines(events).Count(l => l.Contains("\"task\":\"build:c.in\"", StringComparison.Ordinal) && l.Contains("\"event\":\"task-finish\"", StringComparison.Ordinal)), Is.EqualTo(1));

        var second = await cli.RunAsync("build", "--report", report);
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.Lines.Single(l => l.StartsWith("done: ", StringComparison.Ordinal)), Does.StartWith("done: 4 tasks in ").And.EndWith(": 4 up to date"));
        using var again = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        Assert.That(again.RootElement.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "build:a.in").GetProperty("status").GetString(), Is.EqualTo("up-to-date"));
    }

    [Test]
    public async Task A_failing_sub_task_is_reported_once_and_blocks_its_group()
    {
        using var cli = InToOut();
        cli.Add("after", _ => Task.CompletedTask, dependsOn: ["build"]);
        await cli.RunAsync("build");
        cli.TakeOrder();
        cli.Write("b.in", "bad\n");

        var result = await cli.RunAsync("after");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "build:b.in" }));
        // Reported once, where it failed, with its cause; the group and what needs it are blocked by it.
        Assert.That(result.Lines.Count(l => l.StartsWith("FAILED build:b.in", StringComparison.Ordinal)), Is.EqualTo(2), "its line, its debrief: " + result.Output);
        Assert.That(result.Lines, Does.Contain("FAILED build:b.in: command `grep -v bad b.in > b.out` exited with code 1"));
        Assert.That(result.Output, Does.Not.Contain("FAILED build: ").And.Not.Contain("FAILED build ("), "the group did not fail: its sub-task did");
        Assert.That(result.Lines, Does.Contain("not run, blocked by a failed dependency: build (needs build:b.in), after (needs build)"));
        Assert.That(result.Lines.Single(l => l.StartsWith("failed: ", StringComparison.Ordinal)), Does.StartWith("failed: 5 tasks ").And.EndWith(": 2 up to date, 1 failed, 2 blocked by a failure"));

        // Critical: the sub-task's failure aborts the run, and the debrief names it, not its group.
        var critical = await cli.RunAsync("after", "--critical");
        Assert.That(critical.ExitCode, Is.EqualTo(1), critical.ToString());
        Assert.That(critical.Lines, Does.Contain("ABORTED by the critical task build:b.in: its failure cancelled the running tasks and started nothing more"));
        Assert.That(critical.Lines.Count(l => l.StartsWith("FAILED build:b.in", StringComparison.Ordinal)), Is.EqualTo(2), critical.Output);
    }

    [Test]
    public async Task A_target_matching_the_target_regex_runs_the_first_task_and_only_the_sub_task_that_makes_it()
    {
        using var cli = InToOut("a b c");

        var result = await cli.RunAsync("c.out");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "early", "build:c.in" }));
        Assert.That(File.ReadAllText(cli.PathOf("c.out")), Is.EqualTo("c\n"));
        Assert.That(File.Exists(cli.PathOf("a.out")), Is.False, "doit runs only the sub-task that makes the requested target");

        var unknown = await cli.RunAsync("d.out");
        Assert.That(unknown.ExitCode, Is.EqualTo(1), unknown.ToString());
        Assert.That(unknown.Output, Does.Contain("'d.out' was requested on the command line as a target of 'build', but none of its sub-tasks makes it"));
    }

    [Test]
    public async Task A_task_whose_file_dep_a_delayed_sub_task_makes_runs_after_it()
    {
        using var cli = InToOut();
        // Declared first, so that a loader without the target regex edge would run it before build (doit #122/#152).
        cli.Tasks.Insert(0, cli.Add("use", ctx => ctx.Shell("cat a.out b.out > use.txt"), fileDeps: ["a.out", "b.out"], targets: ["use.txt"]));
        cli.Tasks.RemoveAt(cli.Tasks.Count - 1);

        var result = await cli.RunAsync("use");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var order = cli.TakeOrder();
        Assert.That(order, Has.Length.EqualTo(4), string.Join(" ", order));
        Assert.That(order[0], Is.EqualTo("early"));
        Assert.That(order[^1], Is.EqualTo("use"), "use reads what the sub-tasks make: it runs after them");
        Assert.That(File.ReadAllText(cli.PathOf("use.txt")), Is.EqualTo("a\nb\n"));

        var info = await cli.RunAsync("info", "use");
        Assert.That(info.Output, Does.Contain("build (file dep a.out is its target)"));

        var again = await cli.RunAsync("use");
        Assert.That(again.ExitCode, Is.EqualTo(0), again.ToString());
        Assert.That(cli.TakeOrder(), Is.Empty, again.Output);
    }

    [Test]
    public async Task A_dependency_that_fails_inside_a_nested_run_is_reported_once_with_its_cause()
    {
        using var cli = new CliHarness();
        cli.Add("early", _ => Task.CompletedTask);
        // build's sub-task needs prep, a task of the program that build's nested run starts (build is ready first, and -j 1
        // keeps the outer run from starting prep while build runs); prep is also named on the command line.
        Group(cli, "build", _ => [new SubTask("x") { DependsOn = ["prep"], Command = "true" }], createAfter: "early");
        cli.Add("prep", ctx => ctx.Shell("echo prep-says-why; exit 3"), dependsOn: ["early"]);
        var report = cli.PathOf("report.json");

        var result = await cli.RunAsync("build", "prep", "-k", "-j", "1", "--report", report);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Lines.Count(l => l.StartsWith("FAILED prep", StringComparison.Ordinal)), Is.EqualTo(2),
            "one line when it fails, one block in the debrief: " + result.Output);
        Assert.That(result.Lines, Does.Contain("FAILED prep: command `echo prep-says-why; exit 3` exited with code 3"));
        Assert.That(result.Lines, Does.Contain("    prep-says-why"), "the cause, in the debrief");
        Assert.That(result.Output, Does.Not.Contain("FAILED build"), "build did not fail: what it needed did");
        Assert.That(result.Lines, Does.Contain("not run, blocked by a failed dependency: build:x (needs prep), build (needs prep)"));
        Assert.That(result.Lines.Single(l => l.StartsWith("failed: ", StringComparison.Ordinal)), Does.StartWith("failed: 4 tasks ").And.EndWith(": 1 succeeded, 1 failed, 2 blocked by a failure"));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        var tasks = json.RootElement.GetProperty("tasks").EnumerateArray().ToList();
        Assert.That(tasks.Count(t => t.GetProperty("name").GetString() == "prep"), Is.EqualTo(1));
        var prep = tasks.Single(t => t.GetProperty("name").GetString() == "prep");
        Assert.That(prep.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(prep.GetProperty("error").GetProperty("output").EnumerateArray().Select(l => l.GetString()), Does.Contain("prep-says-why"));
        var build = tasks.Single(t => t.GetProperty("name").GetString() == "build");
        Assert.That(build.GetProperty("status").GetString(), Is.EqualTo("blocked"));
        Assert.That(build.GetProperty("blockedBy").GetString(), Is.EqualTo("prep"));
    }

    [Test]
    public async Task Info_knows_the_sub_tasks_of_a_delayed_group_by_their_full_name()
    {
        using var cli = InToOut("a b c");
        Assert.That((await cli.RunAsync("build")).ExitCode, Is.EqualTo(0));

        var info = await cli.RunAsync("info", "build:b.in");
        Assert.That(info.ExitCode, Is.EqualTo(0), info.ToString());
        Assert.That(info.Lines[0], Is.EqualTo("build:b.in"));
        Assert.That(info.Lines, Does.Contain("  status:      up to date"));
        Assert.That(info.Lines, Does.Contain("  file deps:   b.in"));
        Assert.That(info.Lines, Does.Contain("  targets:     b.out"));
        Assert.That(info.Lines, Does.Contain("  needed by:   build"));
        var byTarget = await cli.RunAsync("info", "c.out");
        Assert.That(byTarget.Lines[0], Is.EqualTo("build:c.in"), "a target its regex matches is the sub-task that makes it: " + byTarget);

        cli.Write("b.in", "b2\n");
        var changed = await cli.RunAsync("info", "build:b.in");
        Assert.That(changed.Lines, Does.Contain("  status:      out of date: b.in changed"), changed.ToString());

        // c.in gone: the group no longer yields build:c.in, but the store remembers it ran.
        File.Delete(cli.PathOf("c.in"));
        var recorded = await cli.RunAsync("info", "build:c.in");
        Assert.That(recorded.ExitCode, Is.EqualTo(0), recorded.ToString());
        Assert.That(recorded.Lines, Does.Contain("  known from:  the state store (an earlier run ran it; 'build' does not yield it now, so its targets are not known)"));
        Assert.That(recorded.Lines, Does.Contain("  file deps:   c.in"));

        foreach (var name in new[] { "build:zz", "nope" })
        {
            var unknown = await cli.RunAsync("info", name);
            Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
            Assert.That(unknown.Error.Trim().Split('\n'), Has.Length.EqualTo(1), unknown.ToString());
            Assert.That(unknown.Error, Does.StartWith($"error: unknown task '{name}'.").And.Contain("Run 'list' to see all tasks."));
            Assert.That(unknown.Output, Is.Empty);
        }
    }

    [Test]
    public async Task Forget_forgets_a_sub_task_or_a_whole_delayed_group_even_one_it_yields_no_more()
    {
        using var cli = InToOut("a b c");
        Assert.That((await cli.RunAsync("build")).ExitCode, Is.EqualTo(0));
        cli.TakeOrder();

        var one = await cli.RunAsync("forget", "build:a.in");
        Assert.That(one.Lines, Is.EqualTo(new[] { "forgot 1 task: build:a.in" }), one.ToString());
        Assert.That((await cli.RunAsync("build")).ExitCode, Is.EqualTo(0));
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "build:a.in" }), "only the forgotten sub-task runs again");

        File.Delete(cli.PathOf("c.in"));
        var group = await cli.RunAsync("forget", "build");
        Assert.That(group.Lines, Is.EqualTo(new[] { "forgot 3 tasks: build:a.in, build:b.in, build:c.in" }), "build:c.in, known from the store, too: " + group);
        Assert.That(Orchestrate.UpToDate.StateStore.Inspect(cli.Directory).Tasks.Where(t => t.StartsWith("build:", StringComparison.Ordinal)), Is.Empty);
        Assert.That((await cli.RunAsync("build")).ExitCode, Is.EqualTo(0));
        Assert.That(cli.TakeOrder().Order(), Is.EqualTo(new[] { "build:a.in", "build:b.in" }));

        var unknown = await cli.RunAsync("forget", "build:zz");
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
        Assert.That(unknown.Error.Trim(), Does.StartWith("error: unknown task 'build:zz'.").And.Not.Contain("\n"));
    }

    [Test]
    public async Task Clean_removes_the_targets_of_a_delayed_groups_sub_tasks()
    {
        using var cli = InToOut("a b c");
        Assert.That((await cli.RunAsync("build")).ExitCode, Is.EqualTo(0));

        var dry = await cli.RunAsync("clean", "build", "-n");
        Assert.That(dry.ExitCode, Is.EqualTo(0), dry.ToString());
        Assert.That(dry.Lines.Order(), Is.EqualTo(new[] { "would remove a.out (build:a.in)", "would remove b.out (build:b.in)", "would remove c.out (build:c.in)" }));
        Assert.That(File.Exists(cli.PathOf("a.out")), Is.True);

        var single = await cli.RunAsync("clean", "build:b.in");
        Assert.That(single.Lines, Is.EqualTo(new[] { "removed b.out (build:b.in)" }), single.ToString());
        Assert.That(File.Exists(cli.PathOf("b.out")), Is.False);

        // The store does not keep targets: a sub-task the group yields no more keeps its target.
        File.Delete(cli.PathOf("c.in"));
        var group = await cli.RunAsync("clean", "build");
        Assert.That(group.ExitCode, Is.EqualTo(0), group.ToString());
        Assert.That(group.Lines, Is.EqualTo(new[] { "removed a.out (build:a.in)" }), group.ToString());
        Assert.That(File.Exists(cli.PathOf("a.out")), Is.False);
        Assert.That(File.Exists(cli.PathOf("c.out")), Is.True);
        Assert.That(File.Exists(cli.PathOf("a.in")), Is.True, "file deps are not targets");

        var unknown = await cli.RunAsync("clean", "build:zz");
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
        Assert.That(unknown.Error.Trim(), Does.StartWith("error: unknown task 'build:zz'.").And.Not.Contain("\n"));
    }

    [Test]
    public async Task Ignore_sets_aside_a_sub_task_or_a_whole_delayed_group()
    {
        using var cli = InToOut("a b");
        cli.Add("after", _ => Task.CompletedTask, dependsOn: ["build"]);
        Assert.That((await cli.RunAsync("after")).ExitCode, Is.EqualTo(0));
        cli.TakeOrder();

        var one = await cli.RunAsync("ignore", "build:b.in");
        Assert.That(one.Lines, Is.EqualTo(new[] { "ignoring build:b.in (until 'forget build:b.in')" }), one.ToString());
        cli.Write("a.in", "a2\n");
        cli.Write("b.in", "b2\n");
        var run = await cli.RunAsync("build");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "build:a.in" }));
        Assert.That(run.Lines, Does.Contain("!! build:b.in (ignored)"));
        Assert.That((await cli.RunAsync("info", "build:b.in")).Lines, Does.Contain("  status:      ignored (until forgotten)"));

        var group = await cli.RunAsync("ignore", "build");
        Assert.That(group.Lines, Is.EqualTo(new[]
        {
            "ignoring build (until 'forget build')",
            "ignoring build:a.in (until 'forget build:a.in')",
            "ignoring build:b.in (until 'forget build:b.in')",
        }), group.ToString());
        cli.Write("a.in", "a3\n");
        var ignored = await cli.RunAsync("after");
        Assert.That(ignored.ExitCode, Is.EqualTo(0), ignored.ToString());
        Assert.That(cli.TakeOrder(), Is.Empty, "the group's method is not called, and what needs it is set aside too: " + ignored.Output);
        Assert.That(ignored.Lines, Does.Contain("!! build (ignored)").And.Contain("!! after (ignored)"));

        var forget = await cli.RunAsync("forget", "build");
        Assert.That(forget.Lines, Is.EqualTo(new[] { "forgot 3 tasks: build, build:a.in, build:b.in" }), forget.ToString());
        Assert.That((await cli.RunAsync("after")).ExitCode, Is.EqualTo(0));
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "build:a.in", "build:b.in", "after" }).Or.EqualTo(new[] { "build:b.in", "build:a.in", "after" }));
    }

    /// <summary>One sub-task per .in file, copying it to .out, yielded by an async iterator (what a [Task] returning
    /// IAsyncEnumerable&lt;SubTask&gt; gives the generated invoker).</summary>
    private static async IAsyncEnumerable<SubTask> CopiesOfInFiles(string directory, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var file in Directory.GetFiles(directory, "*.in").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            await Task.Delay(1, cancellationToken);
            yield return new SubTask(file!) { Command = $"cp {file} {file![..^3]}.out", FileDeps = [file], Targets = [file[..^3] + ".out"] };
        }
    }

    [Test]
    public async Task A_group_yielding_an_async_stream_of_sub_tasks_is_a_group_like_any_other()
    {
        using var cli = new CliHarness();
        cli.Write("list.txt", "a b\n");
        cli.Add("early", ctx => ctx.Shell("for f in $(cat list.txt); do echo \"$f\" > \"$f.in\"; done"), fileDeps: ["list.txt"]);
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "build",
            YieldsSubTasks = true,
            CreateAfter = "early",
            CreateAfterTargetRegex = @".*\.out",
            Invoke = invocation => ValueTask.FromResult<object?>(CopiesOfInFiles(invocation.Context.ProjectDirectory)),
        });
        cli.Write("pages/intro.in", "intro\n");
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "pages",
            YieldsSubTasks = true,
            Invoke = invocation => ValueTask.FromResult<object?>(CopiesOfInFiles(Path.Combine(invocation.Context.ProjectDirectory, "pages"))),
        });

        var first = await cli.RunAsync("build");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(File.ReadAllText(cli.PathOf("b.out")), Is.EqualTo("b\n"));
        Assert.That(first.Lines.Single(l => l.StartsWith("done: ", StringComparison.Ordinal)), Does.StartWith("done: 3 tasks ").And.EndWith(": 3 succeeded"));
        var second = await cli.RunAsync("build");
        Assert.That(second.Lines, Does.Contain("-- build:a.in (up to date)"), second.ToString());

        cli.Write("list.txt", "a b c\n");
        var byTarget = await cli.RunAsync("c.out");
        Assert.That(byTarget.ExitCode, Is.EqualTo(0), byTarget.ToString());
        Assert.That(byTarget.Lines.Where(l => l.StartsWith("-> ", StringComparison.Ordinal)), Is.EqualTo(new[] { "-> early (list.txt changed)", "-> build:c.in (never ran)" }));

        // Without [CreateAfter]: read when the graph is loaded, so list knows its sub-tasks.
        var list = await cli.RunAsync("list");
        Assert.That(list.Lines, Does.Contain("pages:intro.in"), list.ToString());
        var info = await cli.RunAsync("info", "build:a.in");
        Assert.That(info.Lines, Does.Contain("  targets:     a.out"), info.ToString());
    }

    /// <summary>includes reads main.deps (a list of headers) and returns them as file deps of compile.</summary>
    private static CliHarness Includes()
    {
        var cli = new CliHarness();
        cli.Write("main.c", "main\n");
        cli.Write("a.h", "a1\n");
        cli.Write("b.h", "b1\n");
        cli.Write("main.deps", "a.h\n");
        cli.AddWithResult("includes", async ctx =>
        {
            var lines = await File.ReadAllLinesAsync(Path.Combine(ctx.ProjectDirectory, "main.deps"));
            return new CalculatedDeps { FileDeps = lines.Where(l => l.Length > 0).ToArray() };
        }, fileDeps: ["main.deps"]);
        var compile = cli.Add("compile", ctx => ctx.Shell("cat main.c " + string.Join(' ', ctx.FileDeps.Where(f => f.EndsWith(".h", StringComparison.Ordinal))) + " > main.o"), fileDeps: ["main.c"], targets: ["main.o"]);
        cli.Tasks[^1] = WithCalcDeps(compile, "includes");
        return cli;
    }

    private static TaskDescriptor WithCalcDeps(TaskDescriptor task, params string[] calcDeps) => new()
    {
        Name = task.Name,
        Method = task.Method,
        FileDeps = task.FileDeps,
        Targets = task.Targets,
        DependsOn = task.DependsOn,
        CalcDeps = calcDeps,
        Invoke = task.Invoke,
    };

    [Test]
    public async Task Calc_dep_file_deps_take_part_in_the_up_to_date_check_and_follow_the_listing()
    {
        using var cli = Includes();

        var first = await cli.RunAsync("compile");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "includes", "compile" }));
        Assert.That(File.ReadAllText(cli.PathOf("main.o")), Is.EqualTo("main\na1\n"), "the task sees its computed file deps");

        var second = await cli.RunAsync("compile");
        Assert.That(cli.TakeOrder(), Is.Empty, second.Output);

        cli.Write("a.h", "a2\n");
        var edited = await cli.RunAsync("compile");
        Assert.That(edited.ExitCode, Is.EqualTo(0), edited.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile" }), "includes is up to date: its recorded result is used");
        Assert.That(edited.Lines, Does.Contain("-> compile (a.h changed)"));

        cli.Write("b.h", "b2\n");
        var unlisted = await cli.RunAsync("compile");
        Assert.That(cli.TakeOrder(), Is.Empty, "b.h is not a dep yet: " + unlisted.Output);

        cli.Write("main.deps", "b.h\n");
        var relisted = await cli.RunAsync("compile");
        Assert.That(relisted.ExitCode, Is.EqualTo(0), relisted.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "includes", "compile" }));
        Assert.That(relisted.Lines, Does.Contain("-> compile (b.h added, a.h removed)"));
        Assert.That(File.ReadAllText(cli.PathOf("main.o")), Is.EqualTo("main\nb2\n"));

        cli.Write("a.h", "a3\n");
        var dropped = await cli.RunAsync("compile");
        Assert.That(cli.TakeOrder(), Is.Empty, "a.h is no longer a dep: " + dropped.Output);
    }

    [Test]
    public async Task Calc_dep_task_deps_and_producers_of_computed_file_deps_run_first()
    {
        using var cli = new CliHarness();
        cli.Add("gen", ctx => ctx.Shell("echo generated > gen.h"), targets: ["gen.h"]);
        cli.Add("stamp", ctx => ctx.Shell("date +%N > stamp.txt"));
        cli.AddWithResult("scan", _ => Task.FromResult<object?>(new CalculatedDeps { FileDeps = ["gen.h"], TaskDeps = ["stamp"] }));
        var use = cli.Add("use", ctx => ctx.Shell("cat gen.h stamp.txt > use.txt"), targets: ["use.txt"]);
        cli.Tasks[^1] = WithCalcDeps(use, "scan");

        var result = await cli.RunAsync("use", "-j", "1");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var order = cli.TakeOrder();
        Assert.That(order[0], Is.EqualTo("scan"), string.Join(" ", order));
        Assert.That(order[^1], Is.EqualTo("use"), string.Join(" ", order));
        Assert.That(order.Order(), Is.EqualTo(new[] { "gen", "scan", "stamp", "use" }), "gen (the producer of gen.h) and stamp (a computed task dep) run, each once");
        Assert.That(File.ReadAllText(cli.PathOf("use.txt")), Does.StartWith("generated\n"));

        var both = await cli.RunAsync("use", "stamp");
        Assert.That(both.ExitCode, Is.EqualTo(0), both.ToString());
        Assert.That(cli.TakeOrder().Count(n => n == "stamp"), Is.EqualTo(1), "a task of the run needed at run time runs once: " + both.Output);
    }

    [Test]
    public async Task A_computed_task_dep_that_fails_is_reported_once_and_blocks_the_task()
    {
        using var cli = new CliHarness();
        cli.AddWithResult("scan", _ => Task.FromResult<object?>(new CalculatedDeps { TaskDeps = ["stamp"] }));
        cli.Add("stamp", ctx => ctx.Shell("echo no-clock >&2; exit 5"));
        var use = cli.Add("use", _ => Task.CompletedTask);
        cli.Tasks[^1] = WithCalcDeps(use, "scan");

        // stamp is not asked for: only use's computed deps bring it into the run.
        var result = await cli.RunAsync("use");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "scan", "stamp" }));
        Assert.That(result.Lines.Count(l => l.StartsWith("FAILED", StringComparison.Ordinal)), Is.EqualTo(2), "stamp's line and its debrief, nothing for use: " + result.Output);
        Assert.That(result.Lines, Does.Contain("FAILED stamp: command `echo no-clock >&2; exit 5` exited with code 5"));
        Assert.That(result.Lines, Does.Contain("    no-clock"));
        Assert.That(result.Lines, Does.Contain("not run, blocked by a failed dependency: use (needs stamp)"));
        Assert.That(result.Lines.Single(l => l.StartsWith("failed: ", StringComparison.Ordinal)), Does.StartWith("failed: 3 tasks ").And.EndWith(": 1 succeeded, 1 failed, 1 blocked by a failure"));
    }

    [Test]
    public async Task A_calc_dep_naming_no_task_fails_the_task_with_one_line()
    {
        using var cli = new CliHarness();
        cli.AddWithResult("scan", _ => Task.FromResult<object?>(new CalculatedDeps { TaskDeps = ["nope"] }));
        cli.Tasks.Add(WithCalcDeps(new TaskDescriptor { Name = "use", Invoke = _ => ValueTask.FromResult<object?>(null) }, "scan"));

        var result = await cli.RunAsync("use");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain("FAILED use").And.Contain("task 'scan' computed a task dep 'nope' for 'use', which is not a task"));
    }
}
