using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.UpToDate;

/// <summary>Incremental runs as a user sees them: what is skipped, what runs, and the reasons given.</summary>
[TestFixture]
public class IncrementalRunTests
{
    /// <summary>compile: src/*.c -> obj/app.o; link: obj/app.o -> bin/app; test: always runs.</summary>
    private static CliHarness CBuild()
    {
        var cli = new CliHarness();
        cli.Write("src/a.c", "int a;\n");
        cli.Write("src/b.c", "int b;\n");
        cli.Add("compile", ctx => ctx.Shell("mkdir -p obj && cat src/*.c > obj/app.o"), fileDeps: ["src/*.c"], targets: ["obj/app.o"]);
        cli.Add("link", ctx => ctx.Shell("mkdir -p bin && cp obj/app.o bin/app"), fileDeps: ["obj/app.o"], targets: ["bin/app"]);
        cli.Add("test", _ => Task.CompletedTask, dependsOn: ["link"]);
        return cli;
    }

    [Test]
    public async Task A_second_run_skips_what_is_up_to_date_and_marks_it()
    {
        using var cli = CBuild();
        Assert.That((await cli.RunAsync("test")).ExitCode, Is.EqualTo(0));
        cli.TakeOrder();

        var second = await cli.RunAsync("test");

        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "test" }), "a task without file deps or rules always runs; the others are up to date");
        Assert.That(second.Lines, Does.Contain("-- compile (up to date)"));
        Assert.That(second.Lines, Does.Contain("-- link (up to date)"));
        Assert.That(second.Output, Does.Contain("1 succeeded, 2 up to date"));
    }

    [Test]
    public async Task An_edit_reruns_the_task_and_says_which_file_changed()
    {
        using var cli = CBuild();
        await cli.RunAsync("test");
        cli.TakeOrder();
        cli.Write("src/a.c", "int a = 1;\n");

        var result = await cli.RunAsync("test");

        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile", "link", "test" }));
        Assert.That(result.Lines, Does.Contain("-> compile (src/a.c changed)"));
        Assert.That(result.Lines, Does.Contain("-> link (obj/app.o changed)"));
    }

    [Test]
    public async Task Rewriting_a_file_with_the_same_content_changes_nothing()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");
        cli.TakeOrder();
        File.SetLastWriteTimeUtc(cli.PathOf("src/a.c"), DateTime.UtcNow.AddMinutes(5));
        cli.Write("src/b.c", "int b;\n");

        var result = await cli.RunAsync("link");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.Empty, "content checksums decide, not timestamps");
    }

    // After a touch or a checkout (new times, same content), the run that reads the files again records their new
    // size and time: the next run trusts them, as it trusts any file whose size and time are as recorded. Shown by
    // an edit that keeps the size and the time the run recorded (a change a size-and-time check cannot see, by
    // design): it is taken as unchanged only because that size and time were recorded.
    [TestCase(1)]
    [TestCase(600)] // enough tasks for the check of every task on every core before the run
    public async Task A_run_records_the_new_times_of_touched_files_whose_content_did_not_change(int tasks)
    {
        using var cli = new CliHarness();
        var names = CopyTasks.Add(cli, tasks);

        Assert.That((await cli.RunAsync(names)).ExitCode, Is.EqualTo(0));
        cli.TakeOrder();
        var touched = DateTime.UtcNow.AddMinutes(5);
        File.SetLastWriteTimeUtc(cli.PathOf("src/f0.txt"), touched);

        var afterTouch = await cli.RunAsync(names);
        Assert.That(afterTouch.ExitCode, Is.EqualTo(0), afterTouch.ToString());
        Assert.That(cli.TakeOrder(), Is.Empty, "same content: nothing runs");

        cli.Write("src/f0.txt", "FILE 0000\n");
        File.SetLastWriteTimeUtc(cli.PathOf("src/f0.txt"), touched);
        var afterSameStamp = await cli.RunAsync(names);
        Assert.That(cli.TakeOrder(), Is.Empty, "the touched time was recorded, so a file with that size and time is taken as unchanged");

        File.SetLastWriteTimeUtc(cli.PathOf("src/f0.txt"), touched.AddSeconds(1));
        var afterNewTime = await cli.RunAsync(names);
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "copy-0" }), "a new time: read again, and the content changed");
        Assert.That(afterNewTime.Lines, Does.Contain("-> copy-0 (src/f0.txt changed)"));
        Assert.That(afterSameStamp.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public async Task A_file_added_to_a_glob_reruns_the_task()
    {
        using var cli = CBuild();
        await cli.RunAsync("compile");
        cli.TakeOrder();
        cli.Write("src/c.c", "int c;\n");

        var result = await cli.RunAsync("compile");

        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile" }));
        Assert.That(result.Lines, Does.Contain("-> compile (src/c.c added)"));
        File.Delete(cli.PathOf("src/b.c"));
        result = await cli.RunAsync("compile");
        Assert.That(result.Lines, Does.Contain("-> compile (src/b.c removed)"));
    }

    [Test]
    public async Task A_missing_target_reruns_its_task()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");
        cli.TakeOrder();
        File.Delete(cli.PathOf("bin/app"));

        var result = await cli.RunAsync("link");

        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "link" }));
        Assert.That(result.Lines, Does.Contain("-> link (target bin/app is missing)"));
    }

    [Test]
    public async Task Info_tells_the_status_in_words()
    {
        using var cli = CBuild();
        Assert.That(await Status(cli, "compile"), Is.EqualTo("out of date: never ran"));
        await cli.RunAsync("link");
        Assert.That(await Status(cli, "compile"), Is.EqualTo("up to date"));
        Assert.That(await Status(cli, "test"), Is.EqualTo("out of date: no file deps or up-to-date rules: always runs"));
        cli.Write("src/a.c", "changed");
        Assert.That(await Status(cli, "compile"), Is.EqualTo("out of date: src/a.c changed"));
        File.Delete(cli.PathOf("bin/app"));
        Assert.That(await Status(cli, "link"), Is.EqualTo("out of date: target bin/app is missing"));
    }

    [Test]
    public async Task A_dry_run_says_what_would_run_and_why_and_runs_nothing()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");
        cli.TakeOrder();
        cli.Write("src/a.c", "edited");

        var result = await cli.RunAsync("link", "--dry-run");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.Empty);
        Assert.That(result.Lines, Does.Contain("would run compile (src/a.c changed)"));
        Assert.That(result.Lines, Does.Contain("would run link (compile would run first and remake obj/app.o)"));
        Assert.That(await Status(cli, "compile"), Is.EqualTo("out of date: src/a.c changed"), "a dry run records nothing");
    }

    [Test]
    public async Task Always_runs_up_to_date_tasks_too()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");
        cli.TakeOrder();

        var result = await cli.RunAsync("link", "-a");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile", "link" }));
    }

    [Test]
    public async Task Forget_makes_a_task_run_again()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");
        cli.TakeOrder();

        var forget = await cli.RunAsync("forget", "compile");
        var result = await cli.RunAsync("link");

        Assert.That(forget.Output.Trim(), Is.EqualTo("forgot 1 task: compile"));
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile" }), "compile remakes obj/app.o with the same content: link stays up to date");
        Assert.That(result.Lines, Does.Contain("-> compile (never ran)"));

        Assert.That((await cli.RunAsync("forget", "--all")).ExitCode, Is.EqualTo(0));
        await cli.RunAsync("link");
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile", "link" }));
    }

    [Test]
    public async Task A_failed_task_runs_again_next_time_and_its_dependents_wait()
    {
        using var cli = new CliHarness();
        cli.Write("in.txt", "v1");
        var fail = false;
        cli.Add("make", async ctx =>
        {
            await File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "out.txt"), "half");
            if (fail)
            {
                throw new InvalidOperationException("disk full");
            }
        }, fileDeps: ["in.txt"], targets: ["out.txt"]);
        await cli.RunAsync("make");
        fail = true;
        cli.Write("in.txt", "v2");
        Assert.That((await cli.RunAsync("make")).ExitCode, Is.EqualTo(1));
        cli.TakeOrder();
        cli.Write("in.txt", "v1"); // back to the content of the last success
        fail = false;

        var result = await cli.RunAsync("make");

        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "make" }), "the failed run dropped the old success: its half-made target is not trusted");
        Assert.That(result.Lines, Does.Contain("-> make (its last run failed)"));
    }

    [Test]
    public async Task Ignore_skips_a_task_until_it_is_forgotten()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");
        cli.TakeOrder();
        cli.Write("src/a.c", "edited");

        var ignore = await cli.RunAsync("ignore", "compile");
        var result = await cli.RunAsync("link");

        Assert.That(ignore.Output.Trim(), Is.EqualTo("ignoring compile (until 'forget compile')"));
        Assert.That(cli.TakeOrder(), Is.Empty);
        Assert.That(result.Lines, Does.Contain("!! compile (ignored)"));
        await cli.RunAsync("forget", "compile");
        await cli.RunAsync("link");
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile", "link" }));
    }

    [Test]
    public async Task Clean_removes_targets_dependents_first_and_a_dry_run_only_lists_them()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");

        var dry = await cli.RunAsync("clean", "--dry-run");
        Assert.That(File.Exists(cli.PathOf("bin/app")), Is.True);
        var clean = await cli.RunAsync("clean");

        Assert.That(dry.Lines, Is.EqualTo(new[] { "would remove bin/app (link)", "would remove obj/app.o (compile)" }));
        Assert.That(clean.Lines, Is.EqualTo(new[] { "removed bin/app (link)", "removed obj/app.o (compile)" }));
        Assert.That(File.Exists(cli.PathOf("bin/app")) || File.Exists(cli.PathOf("obj/app.o")), Is.False);
        cli.TakeOrder();
        await cli.RunAsync("link");
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "compile", "link" }));
    }

    [Test]
    public async Task A_task_may_clean_with_its_own_method()
    {
        using var cli = new CliHarness();
        var cleaned = false;
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "cache",
            Targets = ["cache"],
            Invoke = _ => ValueTask.FromResult<object?>(null),
            Clean = _ =>
            {
                cleaned = true;
                return ValueTask.FromResult<object?>(null);
            },
        });

        var result = await cli.RunAsync("clean", "cache");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cleaned, Is.True);
        Assert.That(result.Lines, Does.Contain("cleaned cache"));
    }

    [Test]
    public async Task A_missing_file_dep_fails_the_task_with_one_clear_line()
    {
        using var cli = new CliHarness();
        cli.Add("compile", _ => Task.CompletedTask, fileDeps: ["src/missing.c"], targets: ["x.o"]);

        var result = await cli.RunAsync("compile");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Output, Does.Contain("FAILED compile: file dep 'src/missing.c' of task 'compile' does not exist, and no task declares it as a target: create it, or fix the path"));
    }

    [Test]
    public async Task A_file_dep_edited_while_its_task_runs_makes_it_out_of_date_next_time()
    {
        using var cli = new CliHarness();
        cli.Write("notes.txt", "first");
        cli.Add("render", async ctx =>
        {
            // Read the input, then someone saves a new version while the task is still working.
            var text = await File.ReadAllTextAsync(Path.Combine(ctx.ProjectDirectory, "notes.txt"));
            await File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "notes.html"), text);
            await File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "notes.txt"), "second");
        }, fileDeps: ["notes.txt"], targets: ["notes.html"]);
        await cli.RunAsync("render");
        cli.TakeOrder();

        var result = await cli.RunAsync("render");

        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "render" }), "the stamp was taken before the action, so the edit is seen (doit #119 misses it)");
        Assert.That(result.Lines, Does.Contain("-> render (notes.txt changed)"));
    }

    [Test]
    public async Task Up_to_date_rules_decide_as_declared()
    {
        using var cli = new CliHarness();
        var config = "debug";
        var version = "1.0";
        var fresh = true;
        cli.Add("once", _ => Task.CompletedTask, rules: [UpToDateRule.RunOnce]);
        cli.Add("configure", _ => Task.CompletedTask, rules: [UpToDateRule.ConfigChanged("BuildConfig", _ => new Dictionary<string, string> { ["mode"] = config })]);
        cli.AddWithResult("version", _ => Task.FromResult<object?>(version));
        cli.Add("stamp", _ => Task.CompletedTask, rules: [UpToDateRule.ResultDep("version")]);
        cli.Add("cached", _ => Task.CompletedTask, rules: [UpToDateRule.Custom("CacheIsFresh", _ => ValueTask.FromResult(fresh))]);
        cli.Write("data/file", "x");
        cli.Add("watch", _ => Task.CompletedTask, rules: [UpToDateRule.TimestampUnchanged("data")]);
        cli.Add("expiring", _ => Task.CompletedTask, rules: [UpToDateRule.ExpiresAfter(TimeSpan.FromMilliseconds(600))]);
        string[] all = ["once", "configure", "stamp", "cached", "watch", "expiring"];

        await cli.RunAsync(all);
        Assert.That(cli.TakeOrder(), Is.EquivalentTo(new[] { "once", "configure", "version", "stamp", "cached", "watch", "expiring" }));

        var second = await cli.RunAsync(all);
        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "version" }), "every rule holds; version has no deps and always runs, but returns the same result");

        config = "release";
        version = "1.1";
        fresh = false;
        File.WriteAllText(cli.PathOf("data/new"), "y");
        File.SetLastWriteTimeUtc(cli.PathOf("data"), DateTime.UtcNow.AddSeconds(10));
        await Task.Delay(700);
        var third = await cli.RunAsync(all);

        Assert.That(cli.TakeOrder(), Is.EquivalentTo(new[] { "configure", "version", "stamp", "cached", "watch", "expiring" }), "run-once stays done");
        Assert.That(third.Lines, Does.Contain("-> configure (config BuildConfig changed)"));
        Assert.That(third.Lines, Does.Contain("-> stamp (result of version changed)"));
        Assert.That(third.Lines, Does.Contain("-> cached (CacheIsFresh says it is out of date)"));
        Assert.That(third.Lines, Does.Contain("-> watch (modified time of data changed)"));
        Assert.That(third.Lines.Any(l => l.StartsWith("-> expiring (expired: last success ", StringComparison.Ordinal)), Is.True, third.Output);
        Assert.That(second.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public async Task The_store_lives_in_the_project_and_says_how_to_recover_when_damaged()
    {
        using var cli = CBuild();
        await cli.RunAsync("link");
        File.WriteAllText(cli.PathOf(".orchestrate/state.log"), "not a state store at all");

        var result = await cli.RunAsync("link");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Does.StartWith("error: the state store ").And.Contain("cannot be used: it is not an Orchestrate state store. Run 'forget --all' to start afresh"));
        Assert.That((await cli.RunAsync("forget", "--all")).ExitCode, Is.EqualTo(0));
        Assert.That((await cli.RunAsync("link")).ExitCode, Is.EqualTo(0));
    }

    [Test]
    public async Task A_run_of_tasks_that_take_no_services_does_not_build_the_host()
    {
        using var cli = CBuild();
        var hostsBuilt = 0;
        cli.ConfigureHost = _ => hostsBuilt++;
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "uses-di",
            TakesServices = true,
            Invoke = invocation => ValueTask.FromResult<object?>(invocation.GetService<TimeProvider>().GetUtcNow()),
        });

        await cli.RunAsync("link");
        var withoutServices = hostsBuilt;
        await cli.RunAsync("uses-di");

        Assert.That(withoutServices, Is.EqualTo(0), "compile and link take only their context: no host");
        Assert.That(hostsBuilt, Is.EqualTo(1), "a task that takes services gets the host");
    }

    [Test]
    public async Task A_file_changed_by_an_earlier_task_of_the_same_run_is_seen_even_if_undeclared()
    {
        using var cli = new CliHarness();
        var version = 1;
        // stamp declares no target: it rewrites data.txt behind the graph's back, as real scripts do.
        cli.Add("stamp", ctx => File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "data.txt"), $"v{version}"));
        cli.Add("consume", _ => Task.CompletedTask, dependsOn: ["stamp"], fileDeps: ["data.txt"], targets: ["data.txt"]);
        await cli.RunAsync("consume");
        cli.TakeOrder();
        version = 2;

        var result = await cli.RunAsync("consume");

        Assert.That(cli.TakeOrder(), Is.EqualTo(new[] { "stamp", "consume" }), "the files stat-ed before the run are not trusted once a task ran");
        Assert.That(result.Lines, Does.Contain("-> consume (data.txt changed)"));
    }

    private static async Task<string> Status(CliHarness cli, string task)
    {
        var info = await cli.RunAsync("info", task);
        Assert.That(info.ExitCode, Is.EqualTo(0), info.ToString());
        var line = info.Lines.Single(l => l.StartsWith("  status:", StringComparison.Ordinal));
        return line["  status:".Length..].Trim();
    }
}
