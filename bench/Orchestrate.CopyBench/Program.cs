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

// One action for every task, as a doit action with %(dependencies)s and %(targets)s: it copies the task's file dep
// to its target, creating out/ on first use.
var outReady = 0;
TaskInvoker copy = invocation =>
{
    var context = invocation.Context;
    if (Volatile.Read(ref outReady) == 0)
    {
        Directory.CreateDirectory(Path.Combine(context.ProjectDirectory, "out"));
        Volatile.Write(ref outReady, 1);
    }

    File.Copy(Path.Combine(context.ProjectDirectory, context.FileDeps[0]), Path.Combine(context.ProjectDirectory, context.Targets[0]), overwrite: true);
    return ValueTask.FromResult<object?>(null);
};
// As the generated catalog does before it makes its descriptors: for a large count, no collection until a task runs.
Orchestrator.PrepareHeap(count);
var tasks = new TaskDescriptor[count];
for (var i = 0; i < count; i++)
{
    tasks[i] = new TaskDescriptor
    {
        Name = $"copy-{i}",
        FileDeps = [$"src/f{i}.txt"],
        Targets = [$"out/f{i}.txt"],
        Invoke = copy,
    };
}

return Orchestrator.Run(rest, new OrchestratorSettings { Tasks = tasks });
