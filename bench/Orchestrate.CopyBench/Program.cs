using System.Globalization;
using Orchestrate;

// Usage: Orchestrate.CopyBench [N] [orchestrate arguments...]   (or COPYBENCH_TASKS=N Orchestrate.CopyBench [arguments...])
// N tasks copy-0 .. copy-<N-1>; copy-i copies src/f<i>.txt (its one file dep) to out/f<i>.txt (its one target),
// relative to the project directory (the current directory, or -C). No task depends on another.
string[] rest = args;
int count;
if (Environment.GetEnvironmentVariable("COPYBENCH_TASKS") is { Length: > 0 } fromEnvironment)
{
    count = int.Parse(fromEnvironment, CultureInfo.InvariantCulture);
}
else if (args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out count))
{
    rest = args[1..];
}
else
{
    Console.Error.WriteLine("usage: Orchestrate.CopyBench <tasks> [orchestrate arguments...] (or set COPYBENCH_TASKS)");
    return 2;
}

var outReady = 0;
var tasks = new TaskDescriptor[count];
for (var i = 0; i < count; i++)
{
    var source = $"src/f{i}.txt";
    var target = $"out/f{i}.txt";
    tasks[i] = new TaskDescriptor
    {
        Name = $"copy-{i}",
        FileDeps = [source],
        Targets = [target],
        Invoke = invocation =>
        {
            var root = invocation.Context.ProjectDirectory;
            if (Volatile.Read(ref outReady) == 0)
            {
                Directory.CreateDirectory(Path.Combine(root, "out"));
                Volatile.Write(ref outReady, 1);
            }

            File.Copy(Path.Combine(root, source), Path.Combine(root, target), overwrite: true);
            return ValueTask.FromResult<object?>(null);
        },
    };
}

return await Orchestrator.RunAsync(rest, new OrchestratorSettings { Tasks = tasks });
