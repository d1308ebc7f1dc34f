namespace Orchestrate;

/// <summary>Everything a generated <see cref="TaskInvoker"/> needs to call a task method.</summary>
public sealed class TaskInvocation
{
    /// <summary>Creates an invocation.</summary>
    public TaskInvocation(IServiceProvider services, TaskContext context)
    {
        Services = services;
        Context = context;
    }

    /// <summary>The run's services (dependency injection).</summary>
    public IServiceProvider Services { get; }

    /// <summary>The task's context.</summary>
    public TaskContext Context { get; }

    /// <summary>The run's cancellation token.</summary>
    public CancellationToken CancellationToken => Context.CancellationToken;

    /// <summary>Resolves a parameter or the task's own class from dependency injection.</summary>
    public T GetService<T>() where T : notnull =>
        Services.GetService(typeof(T)) is T service
            ? service
            : throw new InvalidOperationException(
                $"task '{Context.TaskName}' needs a {typeof(T).FullName}, which is not registered: " +
                "register it in the services passed to Orchestrator.RunAsync (a descriptor built by hand must also set TakesServices = true)");
}
