namespace Orchestrate;

/// <summary>What a custom up-to-date rule sees.</summary>
public sealed class UpToDateContext
{
    /// <summary>Creates a context.</summary>
    public UpToDateContext(string taskName, string projectDirectory, DateTimeOffset? lastSuccess, IServiceProvider services, CancellationToken cancellationToken)
    {
        TaskName = taskName;
        ProjectDirectory = projectDirectory;
        LastSuccess = lastSuccess;
        Services = services;
        CancellationToken = cancellationToken;
    }

    /// <summary>The task being checked.</summary>
    public string TaskName { get; }

    /// <summary>The project directory.</summary>
    public string ProjectDirectory { get; }

    /// <summary>When the task last succeeded; null if never (or forgotten).</summary>
    public DateTimeOffset? LastSuccess { get; }

    /// <summary>The run's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The run's cancellation.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Resolves a service for the rule's parameters.</summary>
    public T GetService<T>() where T : notnull =>
        Services.GetService(typeof(T)) is T service
            ? service
            : throw new InvalidOperationException($"the up-to-date rule of task '{TaskName}' needs a {typeof(T).FullName}, which is not registered");
}
