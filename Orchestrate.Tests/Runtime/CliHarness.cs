using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orchestrate.Tests.Runtime;

/// <summary>Runs the real command line in-process against hand-made descriptors (the shape the generator
/// emits), in a fresh temp project directory, capturing what a user would see.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("orchestrate-test-").FullName;
    }

    public string Directory { get; }

    public List<TaskDescriptor> Tasks { get; } = [];

    /// <summary>Called when the run builds its host (configuration, DI).</summary>
    public Action<Microsoft.Extensions.Hosting.HostApplicationBuilder>? ConfigureHost { get; set; }

    /// <summary>The hosts host tasks run on (null: none configured).</summary>
    public Orchestrate.Remote.Inventory.Inventory? Inventory { get; init; }

    /// <summary>Start and end of each task body, by wall clock.</summary>
    public ConcurrentDictionary<string, (long Start, long End)> Times { get; } = new();

    public ConcurrentQueue<string> Order { get; } = new();

    public TaskDescriptor Add(string name, Func<TaskContext, Task> body, string[]? dependsOn = null, string[]? fileDeps = null, string[]? targets = null, string? doc = null, bool isDefault = false, UpToDateRule[]? rules = null) =>
        AddWithResult(name, async ctx =>
        {
            await body(ctx);
            return null;
        }, dependsOn, fileDeps, targets, doc, isDefault, rules);

    /// <summary>A task whose method returns a value (stored as its result).</summary>
    public TaskDescriptor AddWithResult(string name, Func<TaskContext, Task<object?>> body, string[]? dependsOn = null, string[]? fileDeps = null, string[]? targets = null, string? doc = null, bool isDefault = false, UpToDateRule[]? rules = null)
    {
        var descriptor = new TaskDescriptor
        {
            Name = name,
            Method = $"Tests.{name}",
            Doc = doc,
            DependsOn = dependsOn ?? [],
            FileDeps = fileDeps ?? [],
            Targets = targets ?? [],
            IsDefault = isDefault,
            UpToDate = rules ?? [],
            Invoke = async invocation =>
            {
                var start = Stopwatch.GetTimestamp();
                Order.Enqueue(name);
                try
                {
                    return await body(invocation.Context);
                }
                finally
                {
                    Times[name] = (start, Stopwatch.GetTimestamp());
                }
            },
        };
        Tasks.Add(descriptor);
        return descriptor;
    }

    public TaskDescriptor Add(string name, string[]? dependsOn = null) => Add(name, _ => Task.CompletedTask, dependsOn);

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, CancellationToken.None);

    private (StringWriter Inner, TextWriter Synchronized)? _live;

    /// <summary>The lines the run in progress (or the last run) printed so far.</summary>
    public string[] Lines()
    {
        if (_live is not { } live)
        {
            return [];
        }

        string text;
        // TextWriter.Synchronized locks on the wrapper: take the same lock to read a consistent text.
        lock (live.Synchronized)
        {
            text = live.Inner.ToString();
        }

        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (settings, output, error) = Settings();
        var code = await Orchestrator.RunAsync(args, settings, cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The run through <see cref="Orchestrator.Run(string[], OrchestratorSettings, CancellationToken)"/>: on this thread.</summary>
    public CliResult Run(params string[] args)
    {
        var (settings, output, error) = Settings();
        var code = Orchestrator.Run(args, settings);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private (OrchestratorSettings Settings, StringWriter Output, StringWriter Error) Settings()
    {
        var output = new StringWriter();
        var synchronizedOutput = TextWriter.Synchronized(output);
        _live = (output, synchronizedOutput);
        var error = new StringWriter();
        var settings = new OrchestratorSettings
        {
            Tasks = Tasks,
            Output = synchronizedOutput,
            Error = TextWriter.Synchronized(error),
            ProjectDirectory = Directory,
            HandleSignals = false,
            Inventory = Inventory,
            ConfigureHost = ConfigureHost,
        };
        return (settings, output, error);
    }

    /// <summary>The tasks that ran since the last call, in start order.</summary>
    public string[] TakeOrder()
    {
        var ran = new List<string>();
        while (Order.TryDequeue(out var name))
        {
            ran.Add(name);
        }

        return [.. ran];
    }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    public void Write(string relative, string text)
    {
        var path = PathOf(relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public double Seconds(string task) => Stopwatch.GetElapsedTime(Times[task].Start, Times[task].End).TotalSeconds;

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}--- stderr ---\n{Error}";
}
