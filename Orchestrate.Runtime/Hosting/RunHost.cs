using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrate.Cli;
using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.Reporting;

namespace Orchestrate.Hosting;

/// <summary>
/// The host of one command: configuration (appsettings.json in the project directory, environment),
/// dependency injection with the task classes and the program's own services, logging routed into
/// the run's output, and the console reporter. Ctrl+C belongs to <see cref="Orchestrator"/>, not to
/// the host.
/// </summary>
internal sealed class RunHost : IAsyncDisposable
{
    private readonly IHost _host;

    private readonly IDisposable? _owned;

    private RunHost(IHost host, IRunObserver reporter, IDisposable? owned, OrchestrateOptions options)
    {
        _host = host;
        Reporter = reporter;
        _owned = owned;
        Options = options;
    }

    public IServiceProvider Services => _host.Services;

    public IRunObserver Reporter { get; }

    public OrchestrateOptions Options { get; }

    public ProcessRunner Runner => _host.Services.GetRequiredService<ProcessRunner>();

    public static async Task<RunHost> StartAsync(OrchestratorSettings settings, TaskGraph graph, string projectDirectory, TextWriter output, bool color, CancellationToken cancellationToken) =>
        await StartAsync(settings, graph, projectDirectory, new ConsoleReporter(output, color), owned: true, cancellationToken).ConfigureAwait(false);

    /// <summary>A host whose logging and services report to <paramref name="reporter"/>, which the caller owns.</summary>
    public static Task<RunHost> StartAsync(OrchestratorSettings settings, TaskGraph graph, string projectDirectory, IRunObserver reporter, CancellationToken cancellationToken) =>
        StartAsync(settings, graph, projectDirectory, reporter, owned: false, cancellationToken);

    private static async Task<RunHost> StartAsync(OrchestratorSettings settings, TaskGraph graph, string projectDirectory, IRunObserver reporter, bool owned, CancellationToken cancellationToken)
    {
        var disposable = owned ? reporter as IDisposable : null;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = projectDirectory,
            ApplicationName = "orchestrate",
        });
        builder.Configuration
            .AddJsonFile(Path.Combine(projectDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddProvider(new TaskLoggerProvider(reporter));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddOptions<OrchestrateOptions>()
            .Bind(builder.Configuration.GetSection(OrchestrateOptions.Section))
            .Validate(o => o.Jobs >= 0, "Orchestrate:Jobs must be 0 (the processor count) or more");
        builder.Services.AddSingleton<ProcessRunner>();
        builder.Services.AddSingleton<IRunObserver>(reporter);
        builder.Services.TryAddSingleton(TimeProvider.System);
        foreach (var task in graph.Tasks)
        {
            if (task.ServiceType is { } type)
            {
                builder.Services.TryAddSingleton(type);
            }
        }

        settings.ConfigureHost?.Invoke(builder);
        builder.Services.AddSingleton<IHostLifetime, RunLifetime>();

        var host = builder.Build();
        OrchestrateOptions options;
        try
        {
            options = host.Services.GetRequiredService<IOptions<OrchestrateOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            host.Dispose();
            disposable?.Dispose();
            throw new UsageException($"configuration: {e.Message}: fix appsettings.json or the environment");
        }

        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new RunHost(host, reporter, disposable, options);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _owned?.Dispose();
            _host.Dispose();
        }
    }

    /// <summary>A lifetime that does nothing: the command ends when its work ends.</summary>
    private sealed class RunLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
