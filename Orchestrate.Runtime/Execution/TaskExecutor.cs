using Orchestrate.Planning;
using Orchestrate.Reporting;

namespace Orchestrate.Execution;

/// <summary>Runs one task of the graph: builds its context and calls its generated invoker on the thread pool,
/// so that a task whose body blocks does not hold up the scheduler.</summary>
internal sealed class TaskExecutor(TaskGraph graph, IServiceProvider services, ProcessRunner runner, IRunObserver observer, string projectDirectory)
{
    public Task ExecuteAsync(int index, CancellationToken cancellationToken)
    {
        var task = graph.Tasks[index];
        return Task.Run(
            async () =>
            {
                CurrentTask.Name = task.Name;
                var context = new LocalTaskContext(task, projectDirectory, runner, observer, cancellationToken);
                await task.Invoke(new TaskInvocation(services, context)).ConfigureAwait(false);
            },
            cancellationToken);
    }
}

/// <summary>The task whose code is running on this logical thread, for log lines written through ILogger.</summary>
internal static class CurrentTask
{
    private static readonly AsyncLocal<string?> Value = new();

    public static string? Name
    {
        get => Value.Value;
        set => Value.Value = value;
    }
}
