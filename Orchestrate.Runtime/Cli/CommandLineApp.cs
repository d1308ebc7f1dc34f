using System.CommandLine;
using Orchestrate.Hosting;
using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.UpToDate;

namespace Orchestrate.Cli;

/// <summary>
/// The command line: <c>[run] [task...]</c>, <c>list</c>, <c>info</c>, <c>graph</c>, <c>forget</c>,
/// <c>clean</c>, <c>ignore</c>. Parsed first; a host is built only for commands that run code. Usage
/// mistakes are one line on standard error and exit code 2.
/// </summary>
internal sealed class CommandLineApp(OrchestratorSettings settings, RunSignals? signals = null, bool waitHere = false)
{
    // Made when first written to (a run that succeeds writes to neither: its report has a writer of its own).
    private readonly TextWriter _out = settings.Output ?? new DeferredWriter(() => Console.Out);
    private readonly TextWriter _err = settings.Error ?? new DeferredWriter(() => Console.Error);

    // The options every command takes, made with the commands (a plain run does not make them: see InvokeAsync).
    private sealed class RootOptions
    {
        public Option<string?> Directory { get; } = new("--directory", "-C")
        {
            Description = "Project directory: relative paths in tasks are taken from here (default: the project that built this program)",
            Recursive = true,
        };

        public Option<bool> NoColor { get; } = new("--no-color")
        {
            Description = "Plain text output, without colours (also NO_COLOR=1)",
            Recursive = true,
        };

        public Option<string?> Inventory { get; } = new("--inventory", "-i")
        {
            Description = "Inventory file: JSON (as the Inventory section of appsettings.json) or Ansible YAML",
            Recursive = true,
        };

        public Option<string?> Limit { get; } = new("--limit", "-l")
        {
            Description = "Only these hosts: names, groups, globs (web*), joined by ',' ; '!' excludes, '&' intersects",
            Recursive = true,
        };

        public Option<bool> Wait { get; } = new("--wait")
        {
            Description = "When another run holds this project, wait for it instead of failing",
            Recursive = true,
        };

        public Globals Of(ParseResult parse) => new(parse.GetValue(Directory), parse.GetValue(NoColor), parse.GetValue(Wait), parse.GetValue(Inventory), parse.GetValue(Limit));
    }

    // A run with every option at its default (the plan, project directory and colour are set when it is planned).
    private static readonly RunRequest PlainRunOptions = new([], "", false);

    /// <summary>The values of the options every command takes.</summary>
    private readonly record struct Globals(string? Directory, bool NoColor, bool Wait, string? Inventory, string? Limit);

    /// <summary>The root's commands: an argument with one of these names is a command, not a task.</summary>
    internal static readonly string[] CommandNames = ["run", "list", "info", "graph", "forget", "clean", "ignore", "hosts"];

    /// <summary>
    /// True when the command line is only task names (or empty): a run with every option at its default, which is
    /// read without the parser. Making the parser's commands and options took ~6 ms of every start, more than planning
    /// a run of 1,000 tasks. Anything else (an option, a command, a response file, a directive) goes to the parser.
    /// </summary>
    internal static bool IsPlainRun(string[] args)
    {
        foreach (var arg in args)
        {
            if (arg.Length == 0 || arg[0] is '-' or '@' or '[' || Array.IndexOf(CommandNames, arg) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    public async Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken)
    {
        Hosting.PhaseTrace.Mark("entered");
        try
        {
            if (IsPlainRun(args))
            {
                Hosting.PhaseTrace.Mark("parsed");
                return await Run(default, args, PlainRunOptions, cancellationToken).ConfigureAwait(false);
            }

            return await ParseAndInvokeAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await _err.WriteLineAsync($"error: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        catch (GraphException e)
        {
            await _err.WriteLineAsync($"error: the task graph is invalid: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        catch (StateStoreException e)
        {
            await _err.WriteLineAsync($"error: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
    }

    // An error is one line whatever the user typed: the parser's lists ("Must be one of:\n\t'a'\n\t'b'") are joined,
    // and line breaks and other control characters inside values are shown as escapes.
    private static string OneLine(string message) =>
        Remote.Inventory.Text.Visible(message.Replace(":\n\t", ": ", StringComparison.Ordinal).Replace("\n\t", ", ", StringComparison.Ordinal));

    /// <summary>The names of the parser's commands (for the test that keeps <see cref="CommandNames"/> whole).</summary>
    internal IEnumerable<string> ParserCommandNames() => BuildCommands(CancellationToken.None).Subcommands.Select(command => command.Name);

    // Apart from InvokeAsync, so that a plain run loads nothing of the parser.
    private async Task<int> ParseAndInvokeAsync(string[] args, CancellationToken cancellationToken)
    {
        var root = BuildCommands(cancellationToken);
        var parse = root.Parse(args);
        Hosting.PhaseTrace.Mark("parsed");
        if (parse.CommandResult.Command is not (RootCommand or { Name: "run" }))
        {
            signals?.Arm(); // a run arms them when it has something to run
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await _err.WriteLineAsync($"error: {OneLine(error.Message)} (see --help)").ConfigureAwait(false);
            }

            return ExitCodes.UsageError;
        }

        return await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = _out,
            Error = _err,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        }, cancellationToken).ConfigureAwait(false);
    }

    private RootCommand BuildCommands(CancellationToken cancellationToken)
    {
        var root = new RootCommand("Runs the tasks of this program. With no command, runs the named tasks (or the default ones).");
        var globals = new RootOptions();
        root.Options.Add(globals.Directory);
        root.Options.Add(globals.NoColor);
        root.Options.Add(globals.Wait);
        root.Options.Add(globals.Inventory);
        root.Options.Add(globals.Limit);

        var run = new Command("run", "Run tasks that are out of date, and everything they depend on (the default command)");
        var rootRun = new RunCommandOptions();
        var runRun = new RunCommandOptions();
        rootRun.AddTo(root);
        runRun.AddTo(run);
        root.SetAction((parse, _) => Run(globals.Of(parse), parse.GetValue(rootRun.Tasks) ?? [], rootRun.Values(parse), cancellationToken));
        run.SetAction((parse, _) => Run(globals.Of(parse), parse.GetValue(runRun.Tasks) ?? [], runRun.Values(parse), cancellationToken));
        root.Subcommands.Add(run);

        var list = new Command("list", "List the tasks with their descriptions");
        list.SetAction(async (parse, _) =>
        {
            TaskInfoWriter.List((await LoadGraphAsync(globals.Of(parse), cancellationToken).ConfigureAwait(false)).Graph, _out);
            return ExitCodes.Success;
        });
        root.Subcommands.Add(list);

        var infoTask = new Argument<string>("task") { Description = "The task to describe" };
        var info = new Command("info", "Show a task's status (and why), dependencies, file deps and targets") { infoTask };
        info.SetAction((parse, _) => Info(globals.Of(parse), parse.GetValue(infoTask)!, cancellationToken));
        root.Subcommands.Add(info);

        var graphTasks = new Argument<string[]>("tasks") { Description = "Show only these tasks and what they depend on", Arity = ArgumentArity.ZeroOrMore };
        var format = new Option<string>("--format", "-f") { Description = "dot (Graphviz) or mermaid", DefaultValueFactory = _ => "dot" };
        format.AcceptOnlyFromAmong("dot", "mermaid");
        var graphCommand = new Command("graph", "Print the task graph (edges point from a task to the tasks that need it)") { graphTasks, format };
        graphCommand.SetAction(async (parse, _) =>
        {
            var graph = (await LoadGraphAsync(globals.Of(parse), cancellationToken).ConfigureAwait(false)).Graph;
            var requested = parse.GetValue(graphTasks) ?? [];
            var tasks = requested.Length == 0
                ? graph.TopologicalOrder
                : graph.Closure(requested.Select(name => TaskSelector.Resolve(graph, name)));
            _out.Write(parse.GetValue(format) == "mermaid" ? GraphExporter.ToMermaid(graph, tasks) : GraphExporter.ToDot(graph, tasks));
            return ExitCodes.Success;
        });
        root.Subcommands.Add(graphCommand);

        var forgetTasks = new Argument<string[]>("tasks") { Description = "Tasks to forget (default: the default tasks, or all)", Arity = ArgumentArity.ZeroOrMore };
        var forgetAll = new Option<bool>("--all") { Description = "Forget every task by deleting the state store (also the way out of a damaged store)" };
        var forget = new Command("forget", "Forget tasks' last successes, so that they run again") { forgetTasks, forgetAll };
        forget.SetAction(async (parse, _) => await (await StateCommandsAsync(globals.Of(parse), cancellationToken).ConfigureAwait(false)).ForgetAsync(parse.GetValue(forgetTasks) ?? [], parse.GetValue(forgetAll), cancellationToken).ConfigureAwait(false));
        root.Subcommands.Add(forget);

        var cleanTasks = new Argument<string[]>("tasks") { Description = "Tasks whose targets to remove (default: the default tasks, or all)", Arity = ArgumentArity.ZeroOrMore };
        var cleanDry = new Option<bool>("--dry-run", "-n") { Description = "Say what would be removed; remove nothing" };
        var cleanDep = new Option<bool>("--clean-dep", "-c") { Description = "Clean the tasks they depend on too (implied when no task is named)" };
        var cleanForget = new Option<bool>("--forget") { Description = "Also forget the cleaned tasks' successes, so that they run again" };
        var clean = new Command("clean", "Remove tasks' targets (or run their [Clean] method)") { cleanTasks, cleanDry, cleanDep, cleanForget };
        clean.SetAction(async (parse, _) => await (await StateCommandsAsync(globals.Of(parse), cancellationToken).ConfigureAwait(false)).CleanAsync(
            parse.GetValue(cleanTasks) ?? [], parse.GetValue(cleanDry), parse.GetValue(cleanDep), parse.GetValue(cleanForget), UseColor(globals.Of(parse)), cancellationToken).ConfigureAwait(false));
        root.Subcommands.Add(clean);

        var ignoreTasks = new Argument<string[]>("tasks") { Description = "Tasks to ignore", Arity = ArgumentArity.OneOrMore };
        var ignore = new Command("ignore", "Skip tasks, and what depends on them, in later runs until they are forgotten") { ignoreTasks };
        ignore.SetAction(async (parse, _) => await (await StateCommandsAsync(globals.Of(parse), cancellationToken).ConfigureAwait(false)).IgnoreAsync(parse.GetValue(ignoreTasks) ?? [], cancellationToken).ConfigureAwait(false));
        root.Subcommands.Add(ignore);

        var check = new Option<bool>("--check") { Description = "Connect to each host and say whether it is reachable, and why not" };
        var hostsForks = new Option<int>("--forks") { Description = "Hosts checked at once (default 50)", DefaultValueFactory = _ => 50 };
        hostsForks.Validators.Add(RunCommandOptions.AtLeastOne("--forks"));
        var disconnect = new Option<bool>("--disconnect") { Description = "Close the connections that runs with --persist kept open" };
        var hosts = new Command("hosts", "List the inventory's hosts (after --limit); --check connects to each") { check, hostsForks, disconnect };
        hosts.SetAction((parse, _) => parse.GetValue(disconnect) ? HostsCommand.DisconnectAsync(_out) : HostsCommand.RunAsync(
            InventorySource.Load(settings, parse.GetValue(globals.Inventory), ProjectDirectory(globals.Of(parse))),
            parse.GetValue(globals.Limit),
            parse.GetValue(check),
            parse.GetValue(hostsForks),
            _out,
            cancellationToken));
        root.Subcommands.Add(hosts);
        return root;
    }

    private async Task<StateCommands> StateCommandsAsync(Globals globals, CancellationToken cancellationToken) =>
        new(settings, (await LoadGraphAsync(globals, cancellationToken).ConfigureAwait(false)).Graph, ProjectDirectory(globals), globals.Wait, RunOutput(), _err);

    private async Task<int> Run(Globals globals, string[] tasks, RunRequest options, CancellationToken cancellationToken)
    {
        try
        {
            return await RunPlannedAsync(globals, tasks, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Hosting.CollectionPause.End();
        }
    }

    private async Task<int> RunPlannedAsync(Globals globals, string[] tasks, RunRequest options, CancellationToken cancellationToken)
    {
        // Before the state is opened on another thread: entering the pause stops every thread for one collection.
        Hosting.CollectionPause.Begin((settings.Tasks ?? TaskCatalog.Tasks).Count);
        // The lock and the state store are taken on another thread while the graph is built.
        var opening = Hosting.RunExecution.OpenStateAsync(ProjectDirectory(globals), globals.Wait, _err, cancellationToken);
        RunRequest request;
        TaskGraph graph;
        try
        {
            (graph, request) = await PlanAsync(globals, tasks, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await Hosting.RunExecution.AbandonAsync(opening).ConfigureAwait(false);
            throw;
        }

        Hosting.PhaseTrace.Mark("plan made");
        return await new RunExecution(settings, graph, RunOutput(), _err, signals, waitHere).RunAsync(request, opening, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(TaskGraph Graph, RunRequest Request)> PlanAsync(Globals globals, string[] requested, RunRequest options, CancellationToken cancellationToken)
    {
        var (graph, hostOfNode) = await LoadGraphAsync(globals, cancellationToken).ConfigureAwait(false);
        Hosting.PhaseTrace.Mark("graph loaded");
        var roots = TaskSelector.Roots(graph, requested);
        graph = SubTaskExpansion.ForRequestedTargets(graph, requested);
        var request = options with
        {
            Plan = graph.Closure(roots),
            ProjectDirectory = ProjectDirectory(globals),
            Color = UseColor(globals),
            HostOfNode = hostOfNode,
            Wait = globals.Wait,
        };
        return (graph, request);
    }

    private async Task<int> Info(Globals globals, string task, CancellationToken cancellationToken)
    {
        var graph = (await LoadGraphAsync(globals, cancellationToken).ConfigureAwait(false)).Graph;
        return await new StateCommands(settings, graph, ProjectDirectory(globals), wait: false, _out, _err).InfoAsync(task, cancellationToken).ConfigureAwait(false);
    }

    // The console's writer flushes on every line; a run writes through a buffered one instead.
    private TextWriter RunOutput() => settings.Output ?? ConsoleReporter.OpenStandardOutput();

    private string ProjectDirectory(Globals globals)
    {
        var directory = globals.Directory ?? settings.ProjectDirectory ?? BuiltProjectDirectory() ?? Environment.CurrentDirectory;
        if (string.IsNullOrWhiteSpace(directory) || directory.Contains('\0'))
        {
            throw new UsageException($"project directory {Remote.Inventory.Text.Quote(directory)} is not a path: give the directory with -C/--directory, or leave the option out");
        }

        var full = Path.GetFullPath(directory);
        return Directory.Exists(full)
            ? full
            : throw new UsageException($"project directory '{directory}' does not exist: fix the path given with -C/--directory");
    }

    // The directory of the project that built this program, recorded by the package's build targets;
    // ignored when the program runs where that directory does not exist (a published copy elsewhere).
    internal static string? BuiltProjectDirectory() => RecordedProjectDirectory.Value is { } recorded && Directory.Exists(recorded) ? recorded : null;

    // Read once: a command asks for its project directory several times, and reading attributes is slow the first times.
    private static readonly Lazy<string?> RecordedProjectDirectory = new(() => System.Reflection.Assembly.GetEntryAssembly()?
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .OfType<System.Reflection.AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "Orchestrate.ProjectDirectory")?.Value);

    private bool UseColor(Globals globals) =>
        !globals.NoColor
        && settings.Output is null
        && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    // Host tasks are expanded over the inventory (one node per host) when there is one.
    private async ValueTask<(TaskGraph Graph, IReadOnlyDictionary<string, Remote.HostSpec> HostOfNode)> LoadGraphAsync(Globals globals, CancellationToken cancellationToken)
    {
        var tasks = settings.Tasks ?? TaskCatalog.Tasks;
        if (tasks.Count == 0)
        {
            throw new UsageException("this program declares no tasks: mark methods with [Task] and reference the Orchestrate package, whose source generator registers them");
        }

        // Groups of sub-tasks (not created after another task) become their sub-tasks now, so that they can be named.
        tasks = await SubTaskExpansion.ExpandAsync(tasks, ProjectDirectory(globals), cancellationToken).ConfigureAwait(false);

        if (!tasks.Any(t => t.Hosts is not null))
        {
            return (TaskGraph.Build(tasks), new Dictionary<string, Remote.HostSpec>());
        }

        var inventory = InventorySource.Load(settings, globals.Inventory, ProjectDirectory(globals));
        Hosting.PhaseTrace.Mark("inventory loaded");
        var expanded = InventorySource.Expand(tasks, inventory, globals.Limit);
        Hosting.PhaseTrace.Mark("host tasks expanded");
        return (TaskGraph.Build(expanded.Tasks), expanded.HostOfNode);
    }

    private sealed class RunCommandOptions
    {
        public Argument<string[]> Tasks { get; } = new("tasks")
        {
            Description = "Tasks to run, by name or by target file (default: the tasks marked Default, or all)",
            Arity = ArgumentArity.ZeroOrMore,
        };

        public Option<int> Jobs { get; } = new("--jobs", "-j")
        {
            Description = "Tasks running at once (default: the processor count)",
        };

        public Option<bool> KeepGoing { get; } = new("--keep-going", "-k")
        {
            Description = "After a failure, run everything the failure does not block",
        };

        public Option<int> Forks { get; } = new("--forks", "-f")
        {
            Description = "Hosts in flight at once (default 50)",
        };

        public Option<int> Persist { get; } = new("--persist")
        {
            Description = "Keep each host's connection open this many seconds after the run, for the next run (default 0: close them)",
        };

        public Option<bool> Always { get; } = new("--always", "-a")
        {
            Description = "Run the tasks even when they are up to date",
        };

        public Option<bool> DryRun { get; } = new("--dry-run", "-n")
        {
            Description = "Say which tasks would run and why; run nothing",
        };

        public Option<double> Timeout { get; } = new("--timeout")
        {
            Description = "Time limit for the whole run, in seconds: running tasks are cut and named, and the run fails",
        };

        public Option<bool> Critical { get; } = new("--critical")
        {
            Description = "A failing task aborts the run unless it says otherwise with [Critical(false)] (default: only [Critical] tasks do)",
        };

        public Option<string[]> Resources { get; } = new("--resource")
        {
            Description = "Limit for a named resource, as name=N (repeatable): at most N tasks using it run at once",
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<string> Output { get; } = new("--output")
        {
            Description = "stream: prefixed lines as they come (default); grouped: each task's output as one block when it ends",
        };

        public Option<string?> Events { get; } = new("--events")
        {
            Description = "Write one JSON event per line to this file (start, output, finish, skip)",
        };

        public Option<string?> Report { get; } = new("--report")
        {
            Description = "Write the final state of every task to this JSON file",
        };

        public Option<bool> NoLive { get; } = new("--no-live")
        {
            Description = "No live view on a terminal: plain prefixed lines",
        };

        public Option<string?> Plan { get; } = new("--plan")
        {
            Description = "Write a self-contained HTML page of the tasks this run would execute and why, and run nothing",
        };

        /// <summary>The run options given on the command line, over the defaults.</summary>
        public RunRequest Values(ParseResult parse) => PlainRunOptions with
        {
            Forks = parse.GetResult(Forks) is null ? null : parse.GetValue(Forks),
            Persist = parse.GetResult(Persist) is null ? null : parse.GetValue(Persist),
            Jobs = parse.GetResult(Jobs) is null ? null : parse.GetValue(Jobs),
            KeepGoing = parse.GetResult(KeepGoing) is null ? null : parse.GetValue(KeepGoing),
            Always = parse.GetValue(Always),
            DryRun = parse.GetValue(DryRun),
            Timeout = parse.GetResult(Timeout) is null ? null : TimeSpan.FromSeconds(parse.GetValue(Timeout)),
            Critical = parse.GetResult(Critical) is null ? null : parse.GetValue(Critical),
            Resources = ParseResources(parse.GetValue(Resources) ?? []),
            Output = parse.GetValue(Output) ?? "stream",
            EventsPath = parse.GetValue(Events),
            ReportPath = parse.GetValue(Report),
            NoLive = parse.GetValue(NoLive),
            PlanPath = parse.GetValue(Plan),
        };

        public static IReadOnlyDictionary<string, int> ParseResources(string[] values)
        {
            var limits = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var value in values)
            {
                var at = value.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0 || !int.TryParse(value.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) || limit < 1)
                {
                    throw new UsageException($"--resource '{value}' is not name=N with N at least 1: write it like --resource db=2");
                }

                limits[value[..at]] = limit;
            }

            return limits;
        }

        public void AddTo(Command command)
        {
            command.Options.Add(Timeout);
            command.Options.Add(Critical);
            command.Options.Add(Resources);
            command.Options.Add(Output);
            command.Options.Add(Events);
            command.Options.Add(Report);
            command.Options.Add(NoLive);
            command.Options.Add(Plan);
            Output.AcceptOnlyFromAmong("stream", "grouped");
            Timeout.Validators.Add(result =>
            {
                // At most what a timer can wait (about 49 days); NaN and infinity are not numbers of seconds.
                if (Converted<double>(result) is { } seconds && !(seconds > 0 && seconds <= MaxTimeoutSeconds))
                {
                    result.AddError($"--timeout must be a number of seconds above 0 and at most {MaxTimeoutSeconds} (about 49 days)");
                }
            });
            command.Arguments.Add(Tasks);
            // The parser hands an option it does not know to the task list: say what it is.
            Tasks.Validators.Add(result =>
            {
                foreach (var token in result.Tokens)
                {
                    if (token.Value.Length > 1 && token.Value[0] == '-')
                    {
                        result.AddError($"unknown option {Remote.Inventory.Text.Quote(token.Value)}");
                        return;
                    }
                }
            });
            command.Options.Add(Jobs);
            command.Options.Add(KeepGoing);
            command.Options.Add(Always);
            command.Options.Add(Forks);
            command.Options.Add(Persist);
            command.Options.Add(DryRun);
            Persist.Validators.Add(result =>
            {
                if (Converted<int>(result) is < 0)
                {
                    result.AddError("--persist must be 0 (close connections at the end) or a number of seconds");
                }
            });
            Jobs.Validators.Add(result =>
            {
                if (Converted<int>(result) is < 1)
                {
                    result.AddError("--jobs must be at least 1");
                }
            });
            Forks.Validators.Add(AtLeastOne("--forks"));
        }

        /// <summary>The longest run time limit: what a timer can wait, in whole seconds.</summary>
        public const int MaxTimeoutSeconds = 4_294_967;

        public static Action<System.CommandLine.Parsing.OptionResult> AtLeastOne(string name) => result =>
        {
            if (Converted<int>(result) is < 1)
            {
                result.AddError($"{name} must be at least 1");
            }
        };

        // An option's value, or null when its text does not convert: the parser reports that itself, in one line
        // ("Cannot parse argument 'x' for option '--jobs'..."); asking for the value would throw instead.
        private static T? Converted<T>(System.CommandLine.Parsing.OptionResult result)
            where T : struct
        {
            try
            {
                return result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }
}
