using Orchestrate;

// Usage: StateApp <tasks> <action-ms> [orchestrate arguments...]
// Builds a layered graph of <tasks> tasks; each sleeps <action-ms>, appends its name to executed.log and
// writes out/<name>.txt. Task i depends on the target of task i-10; the first ten have no file deps and are
// run-once tasks, so that a run after a complete one runs nothing. With STATEAPP_UNCANCELLABLE=1 the sleep
// ignores cancellation, as a task that takes a while to stop.
var count = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var actionMs = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var tasks = new List<TaskDescriptor>();
var log = new object();
var uncancellable = Environment.GetEnvironmentVariable("STATEAPP_UNCANCELLABLE") == "1";
for (var i = 0; i < count; i++)
{
    var name = $"t{i:D4}";
    var deps = i < 10 ? Array.Empty<string>() : [$"out/t{i - 10:D4}.txt"];
    tasks.Add(new TaskDescriptor
    {
        Name = name,
        FileDeps = deps,
        Targets = [$"out/{name}.txt"],
        UpToDate = i < 10 ? [UpToDateRule.RunOnce] : [],
        Invoke = async invocation =>
        {
            var dir = Path.Combine(invocation.Context.ProjectDirectory, "out");
            Directory.CreateDirectory(dir);
            await Task.Delay(actionMs, uncancellable ? CancellationToken.None : invocation.CancellationToken);
            invocation.CancellationToken.ThrowIfCancellationRequested();
            // One append at a time: two tasks appending at once could overwrite each other's line.
            lock (log)
            {
                File.AppendAllText(Path.Combine(invocation.Context.ProjectDirectory, "executed.log"), name + "\n");
            }

            await File.WriteAllTextAsync(Path.Combine(dir, $"{name}.txt"), name, invocation.CancellationToken);
            return null;
        },
    });
}

// With STATEAPP_REMOTE_STEP, a host task 'remote' runs that command on the hosts of group 'lab' (give --inventory).
if (Environment.GetEnvironmentVariable("STATEAPP_REMOTE_STEP") is { Length: > 0 } step)
{
    tasks.Add(new TaskDescriptor
    {
        Name = "remote",
        Hosts = "lab",
        RemoteSteps = [new RemoteStepSpec(step)],
        Invoke = _ => ValueTask.FromResult<object?>(null),
    });
}

return Orchestrator.Run(args[2..], new OrchestratorSettings { Tasks = tasks });
