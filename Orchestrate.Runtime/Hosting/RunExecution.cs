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
using Orchestrate.Scheduling;

namespace Orchestrate.Hosting;

/// <summary>One run: builds the host (configuration, DI, logging), runs the plan, and turns the outcome
/// into an exit code. Owns nothing global: signals are handled by <see cref="Orchestrator"/>.</summary>
internal sealed class RunExecution(OrchestratorSettings settings, TaskGraph graph, TextWriter output)
{
    public async Task<int> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var reporter = new ConsoleReporter(output, request.Color);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = request.ProjectDirectory,
            ApplicationName = "orchestrate",
        });
        builder.Configuration
            .AddJsonFile(Path.Combine(request.ProjectDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddProvider(new TaskLoggerProvider(reporter));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddOptions<OrchestrateOptions>()
            .Bind(builder.Configuration.GetSection(OrchestrateOptions.Section))
            .Validate(o => o.Jobs >= 0, "Orchestrate:Jobs must be 0 (the processor count) or more");
        builder.Services.AddSingleton<ProcessRunner>();
        builder.Services.AddSingleton<IRunObserver>(reporter);
        foreach (var task in graph.Tasks)
        {
            if (task.ServiceType is { } type)
            {
                builder.Services.TryAddSingleton(type);
            }
        }

        settings.ConfigureHost?.Invoke(builder);
        // Ctrl+C belongs to the orchestrator, not to the host's console lifetime.
        builder.Services.AddSingleton<IHostLifetime, RunLifetime>();

        using var host = builder.Build();
        OrchestrateOptions configured;
        try
        {
            configured = host.Services.GetRequiredService<IOptions<OrchestrateOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new UsageException($"configuration: {e.Message}: fix appsettings.json or the environment");
        }

        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var options = new SchedulerOptions
            {
                Jobs = request.Jobs ?? (configured.Jobs > 0 ? configured.Jobs : Environment.ProcessorCount),
                KeepGoing = request.KeepGoing ?? configured.KeepGoing,
            };
            var executor = new TaskExecutor(graph, host.Services, host.Services.GetRequiredService<ProcessRunner>(), reporter, request.ProjectDirectory);
            var outcome = await Scheduler.RunAsync(graph, request.Plan, executor.ExecuteAsync, options, reporter, cancellationToken).ConfigureAwait(false);
            return outcome.Cancelled ? ExitCodes.Cancelled : outcome.Succeeded ? ExitCodes.Success : ExitCodes.TaskFailed;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A lifetime that does nothing: the run ends when its tasks end.</summary>
    private sealed class RunLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
