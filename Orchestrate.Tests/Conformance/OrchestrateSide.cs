using System.Text.Json;

namespace Orchestrate.Tests.Conformance;

/// <summary>Runs a scenario's graph with Orchestrate, in-process, through the real command line, with descriptors
/// shaped like the generator's. The actions do what the generated dodo.py's actions do.</summary>
internal sealed class OrchestrateSide(Scenario scenario, string directory)
{
    private static readonly object LogLock = new();

    private readonly List<TaskDescriptor> _tasks = scenario.Tasks.Select(t => Describe(t, directory)).ToList();

    public string Directory { get; } = directory;

    public async Task<ToolResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Orchestrator.RunAsync(args, new OrchestratorSettings
        {
            Tasks = _tasks,
            Output = TextWriter.Synchronized(output),
            Error = TextWriter.Synchronized(error),
            ProjectDirectory = Directory,
            HandleSignals = false,
        });
        return new ToolResult(code, output + error.ToString());
    }

    public static Dictionary<string, string> ReadParams(string directory) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(directory, "params.json")))!;

    /// <summary>Expands a dep the way the dodo's <c>_expand</c> does: <c>dir/*.ext</c> patterns, sorted by path.</summary>
    public static IEnumerable<string> Expand(string directory, string dep)
    {
        if (!dep.Contains('*'))
        {
            return [dep];
        }

        var slash = dep.LastIndexOf('/');
        var folder = slash < 0 ? "" : dep[..slash];
        var pattern = dep[(slash + 1)..];
        var full = Path.Combine(directory, folder);
        return System.IO.Directory.Exists(full)
            ? System.IO.Directory.GetFiles(full, pattern).Select(f => (folder.Length == 0 ? "" : folder + "/") + Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    private static TaskDescriptor Describe(TaskSpec spec, string directory) => new()
    {
        Name = spec.Name,
        Method = $"Conformance.{spec.Name}",
        DependsOn = spec.TaskDeps,
        FileDeps = spec.FileDeps,
        Targets = spec.Targets,
        UpToDate = spec.Rules.Select(r => ToRule(r, directory)).ToArray(),
        YieldsSubTasks = spec.SubTasksFrom is not null,
        CreateAfter = spec.CreateAfter,
        CreateAfterTargetRegex = spec.TargetRegex,
        CalcDeps = spec.CalcDeps,
        Invoke = spec.SubTasksFrom is { } pattern
            ? invocation => ValueTask.FromResult<object?>(SubTasks(spec, pattern, invocation.Context.ProjectDirectory))
            : spec.ComputesDepsFrom is { } listing
                ? invocation => Compute(spec, listing, invocation.Context.ProjectDirectory)
                : invocation => Act(spec, invocation.Context.ProjectDirectory),
    };

    private static List<SubTask> SubTasks(TaskSpec group, string pattern, string directory) =>
        Expand(directory, pattern).Select(file => group.SubTask(file)).Select(sub => new SubTask(sub.Name[(group.Name.Length + 1)..])
        {
            FileDeps = sub.FileDeps,
            Targets = sub.Targets,
            Action = group.SubTasksReturnContent ? null : async ctx => await Act(sub, ctx.ProjectDirectory),
            Compute = group.SubTasksReturnContent
                ? async ctx =>
                {
                    await Act(sub, ctx.ProjectDirectory);
                    return await File.ReadAllTextAsync(Path.Combine(ctx.ProjectDirectory, sub.FileDeps[0]));
                }
                : null,
        }).ToList();

    private static async ValueTask<object?> Compute(TaskSpec spec, string listing, string directory)
    {
        await Act(spec, directory);
        var lines = await File.ReadAllLinesAsync(Path.Combine(directory, listing));
        return new CalculatedDeps { FileDeps = lines.Where(l => l.Length > 0).ToArray() };
    }

    private static UpToDateRule ToRule(Rule rule, string directory) => rule switch
    {
        Rule.RunOnceRule => UpToDateRule.RunOnce,
        Rule.ConfigRule c => UpToDateRule.ConfigChanged(c.Key, _ => ReadParams(directory)[c.Key]),
        Rule.ResultRule r => UpToDateRule.ResultDep(r.Task),
        Rule.ExpiresRule e => UpToDateRule.ExpiresAfter(TimeSpan.FromSeconds(e.Seconds)),
        Rule.TimestampRule t => UpToDateRule.TimestampUnchanged(t.Path),
        Rule.CustomRule c => UpToDateRule.Custom(c.Key, context => ValueTask.FromResult(ReadParams(context.ProjectDirectory)[c.Key] == "true")),
        Rule.OpinionRule o => UpToDateRule.Custom(o.Key, context => ValueTask.FromResult(ReadParams(context.ProjectDirectory)[o.Key] switch
        {
            "true" => true,
            "false" => false,
            _ => (bool?)null,
        })),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    private static ValueTask<object?> Act(TaskSpec spec, string directory)
    {
        lock (LogLock)
        {
            File.AppendAllText(Path.Combine(directory, "executed.log"), spec.Name + "\n");
        }

        var parameters = ReadParams(directory);
        if (spec.MutatesDuringRun is { } mutated && parameters.GetValueOrDefault("mutate") == "true")
        {
            File.AppendAllText(Path.Combine(directory, mutated), "edited while the task ran\n");
        }

        if (spec.FailKey is { } fail && parameters.GetValueOrDefault(fail) == "true")
        {
            throw new InvalidOperationException($"{spec.Name} fails: params[{fail}] is true");
        }

        if (spec.Content != TargetContent.None)
        {
            var content = spec.Name + "\n";
            if (spec.Content == TargetContent.Concat)
            {
                content += string.Concat(spec.FileDeps.SelectMany(d => Expand(directory, d)).Select(d => File.ReadAllText(Path.Combine(directory, d))));
            }

            foreach (var target in spec.Targets)
            {
                var path = Path.Combine(directory, target);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }
        }

        return ValueTask.FromResult<object?>(spec.ResultKey is { } key ? parameters[key] : null);
    }
}

/// <summary>A tool's exit code and everything it printed.</summary>
internal sealed record ToolResult(int ExitCode, string Output);
