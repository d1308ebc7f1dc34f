namespace Orchestrate.Tests.Runtime;

[TestFixture]
public class CommandLineTests
{
    private static CliHarness BuildLike()
    {
        var cli = new CliHarness();
        Directory.CreateDirectory(Path.Combine(cli.Directory, "src"));
        File.WriteAllText(Path.Combine(cli.Directory, "src", "hello.c"), "int main(void) { return 0; }\n");
        cli.Add("compile", ctx => ctx.Shell("mkdir -p obj && cp src/hello.c obj/hello.o"), fileDeps: ["src/hello.c"], targets: ["obj/hello.o"], doc: "Compile the C sources");
        cli.Add("link", ctx => ctx.Shell("mkdir -p bin && cp obj/hello.o bin/hello"), fileDeps: ["obj/hello.o"], targets: ["bin/hello"], doc: "Link the program");
        cli.Add("test", _ => Task.CompletedTask, dependsOn: ["link"], isDefault: true);
        return cli;
    }

    [Test]
    public async Task An_unknown_task_gets_a_did_you_mean_line_and_exit_code_2()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("lnik");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Is.EqualTo("error: unknown task 'lnik'. Did you mean 'link'? Run 'list' to see all tasks."));
        Assert.That(cli.Order, Is.Empty, "nothing runs when a name is wrong");
    }

    [Test]
    public async Task A_name_far_from_every_task_gets_no_suggestion()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("deploy-everything");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Is.EqualTo("error: unknown task 'deploy-everything'. Run 'list' to see all tasks."));
    }

    [Test]
    public async Task A_bad_option_value_is_one_line_and_exit_code_2()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("link", "-j", "0");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Is.EqualTo("error: --jobs must be at least 1 (see --help)"));
    }

    [TestCase(new[] { "--timeout", "1e400" }, "error: --timeout must be a number of seconds above 0 and at most 4294967 (about 49 days) (see --help)")]
    [TestCase(new[] { "--timeout", "4294968" }, "error: --timeout must be a number of seconds above 0 and at most 4294967 (about 49 days) (see --help)")]
    [TestCase(new[] { "--timeout", "NaN" }, "error: --timeout must be a number of seconds above 0 and at most 4294967 (about 49 days) (see --help)")]
    [TestCase(new[] { "--timeout", "-1" }, "error: --timeout must be a number of seconds above 0 and at most 4294967 (about 49 days) (see --help)")]
    [TestCase(new[] { "--forks", "0" }, "error: --forks must be at least 1 (see --help)")]
    [TestCase(new[] { "--forks", "-1" }, "error: --forks must be at least 1 (see --help)")]
    [TestCase(new[] { "-j", "-3" }, "error: --jobs must be at least 1 (see --help)")]
    [TestCase(new[] { "--persist", "-1" }, "error: --persist must be 0 (close connections at the end) or a number of seconds (see --help)")]
    public async Task An_option_value_out_of_range_is_one_line_and_exit_code_2(string[] option, string error)
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync(["link", .. option]);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.Trim(), Is.EqualTo(error));
        Assert.That(cli.Order, Is.Empty, "nothing ran");
    }

    [TestCase("--frobnicate", "link")]
    [TestCase("link", "--frobnicate")]
    [TestCase("run", "-z", "link")]
    public async Task An_unknown_option_is_named_as_an_option_not_a_task(params string[] args)
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync(args);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("unknown option '-").And.Not.Contain("unknown task"));
        Assert.That(cli.Order, Is.Empty, "nothing ran");
    }

    [Test]
    public async Task A_long_timeout_within_range_runs()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("link", "--timeout", "4294967");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
    }

    [TestCase("-j", "x", "--jobs")]
    [TestCase("--persist", "soon", "--persist")]
    [TestCase("--timeout", "1h", "--timeout")]
    public async Task An_option_value_that_is_not_a_number_is_one_line_and_exit_code_2(string option, string value, string name)
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("link", option, value);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.Trim(), Does.StartWith($"error: Cannot parse argument '{value}' for option '{name}'").And.EndWith("(see --help)"));
        Assert.That(result.Error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
    }

    [Test]
    public async Task Task_names_alone_run_as_the_run_command_runs_them()
    {
        using var plain = BuildLike();
        using var parsed = BuildLike();

        var fast = await plain.RunAsync("link");
        var full = await parsed.RunAsync("run", "link");
        var again = await plain.RunAsync("link");

        Assert.That(fast.ExitCode, Is.EqualTo(0), fast.ToString());
        Assert.That(full.ExitCode, Is.EqualTo(0), full.ToString());
        Assert.That(plain.Order, Is.EqualTo(parsed.Order));
        Assert.That(plain.Order, Is.EqualTo(new[] { "compile", "link" }), "the second plain run finds both up to date");
        Assert.That(again.Output, Does.Contain("up to date"));
    }

    [TestCase(new string[0], true)]
    [TestCase(new[] { "compile", "link" }, true)]
    [TestCase(new[] { "obj/hello.o" }, true)]
    [TestCase(new[] { "compile", "-a" }, false)]
    [TestCase(new[] { "--help" }, false)]
    [TestCase(new[] { "list" }, false)]
    [TestCase(new[] { "compile", "forget" }, false)]
    [TestCase(new[] { "@args.rsp" }, false)]
    [TestCase(new[] { "[diagram]", "compile" }, false)]
    [TestCase(new[] { "" }, false)]
    public void Only_task_names_skip_the_parser(string[] args, bool plain) =>
        Assert.That(Orchestrate.Cli.CommandLineApp.IsPlainRun(args), Is.EqualTo(plain));

    [Test]
    public void Every_command_of_the_parser_is_known_to_the_plain_run_check()
    {
        var app = new Orchestrate.Cli.CommandLineApp(new OrchestratorSettings { Tasks = [] });

        Assert.That(Orchestrate.Cli.CommandLineApp.CommandNames, Is.EquivalentTo(app.ParserCommandNames()));
    }

    [Test]
    public async Task Run_on_this_thread_runs_as_RunAsync_does_and_RunAsync_returns_its_task_before_the_run_ends()
    {
        using var waited = BuildLike();
        using var awaited = BuildLike();
        using var gate = new ManualResetEventSlim();
        waited.Add("slow", _ => Task.CompletedTask);
        awaited.Add("slow", _ => Task.Run(gate.Wait));

        var result = await Task.Factory.StartNew(() => waited.Run("link", "slow"), TaskCreationOptions.LongRunning);
        var again = await Task.Factory.StartNew(() => waited.Run("link"), TaskCreationOptions.LongRunning);
        // Called from a thread of its own (not the pool's, no synchronization context), as a program's Main would.
        var calling = Task.Factory.StartNew(() => awaited.RunAsync("slow"), TaskCreationOptions.LongRunning);
        var returnedWhileRunning = calling.Wait(TimeSpan.FromSeconds(10));
        gate.Set();
        var finished = await calling.Unwrap();

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(waited.Order, Is.EquivalentTo(new[] { "compile", "link", "slow" }));
        Assert.That(again.Output, Does.Contain("-- link (up to date)"));
        Assert.That(returnedWhileRunning, Is.True, "RunAsync returns its task while the run goes on");
        Assert.That(finished.ExitCode, Is.EqualTo(0), finished.ToString());
    }

    [Test]
    public async Task Without_a_task_name_the_default_tasks_run()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync();

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.Order, Is.EqualTo(new[] { "compile", "link", "test" }));
    }

    [Test]
    public async Task A_target_path_on_the_command_line_runs_the_task_that_makes_it()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("run", "obj/hello.o");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.Order, Is.EqualTo(new[] { "compile" }));
    }

    [Test]
    public async Task List_shows_every_task_with_its_doc()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("list");

        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Lines, Is.EqualTo(new[]
        {
            "compile  Compile the C sources",
            "link     Link the program",
            "test     (default)",
        }));
    }

    [Test]
    public async Task Info_shows_dependencies_file_deps_and_targets()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("info", "link");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[]
        {
            "link: Link the program",
            "  status:      out of date: never ran",
            "  method:      Tests.link",
            "  depends on:  compile (file dep obj/hello.o is its target)",
            "  needed by:   test",
            "  file deps:   obj/hello.o",
            "  targets:     bin/hello",
        }));
    }

    [Test]
    public async Task Info_on_an_unknown_task_is_a_usage_error()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("info", "tset");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("Did you mean 'test'?"));
    }

    [Test]
    public async Task Graph_prints_dot_with_file_dep_edges_dashed()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("graph");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.StartWith("digraph tasks {"));
        Assert.That(result.Output, Does.Contain("\"compile\" -> \"link\" [style=dashed, label=\"obj/hello.o\"];"));
        Assert.That(result.Output, Does.Contain("\"link\" -> \"test\";"));
        Assert.That(result.Output, Does.Contain("\"compile\" [tooltip=\"Compile the C sources\"];"));
    }

    [Test]
    public async Task Graph_prints_mermaid_for_a_subset()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("graph", "link", "--format", "mermaid");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[]
        {
            "flowchart LR",
            "  t0[\"compile\"]",
            "  t1[\"link\"]",
            "  t0 -. \"obj/hello.o\" .-> t1",
        }));
    }

    [Test]
    public async Task A_cycle_in_a_graph_assembled_at_run_time_is_a_usage_error_naming_the_path()
    {
        using var cli = new CliHarness();
        cli.Add("a", ["b"]);
        cli.Add("b", ["c"]);
        cli.Add("c", ["a"]);

        var result = await cli.RunAsync("a");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Is.EqualTo("error: the task graph is invalid: dependency cycle: a -> b -> c -> a: remove one of these dependencies"));
    }

    [Test]
    public async Task A_missing_project_directory_is_a_usage_error()
    {
        using var cli = BuildLike();

        var result = await cli.RunAsync("-C", "/no/such/dir", "link");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error.Trim(), Is.EqualTo("error: project directory '/no/such/dir' does not exist: fix the path given with -C/--directory"));
    }

    [Test]
    public async Task Services_from_dependency_injection_reach_instance_tasks()
    {
        using var cli = new CliHarness();
        string? seen = null;
        cli.Tasks.Add(new TaskDescriptor
        {
            Name = "greet",
            ServiceType = typeof(Greeter),
            Invoke = invocation =>
            {
                seen = invocation.GetService<Greeter>().Greet();
                return ValueTask.FromResult<object?>(null);
            },
        });

        var result = await cli.RunAsync("greet");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(seen, Is.EqualTo("hello from DI"));
    }

    public sealed class Greeter
    {
        public string Greet() => "hello from DI";
    }
}
