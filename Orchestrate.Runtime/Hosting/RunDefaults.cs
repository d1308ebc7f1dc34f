using Microsoft.Extensions.Configuration;
using Orchestrate.Cli;

namespace Orchestrate.Hosting;

/// <summary>
/// Reads the run defaults (<see cref="OrchestrateOptions"/>) from appsettings.json and the environment
/// before any host exists, so that the scheduler can start without one. Configuration is only built
/// when there is something to read.
/// </summary>
internal static class RunDefaults
{
    public static OrchestrateOptions Read(string projectDirectory)
    {
        var file = Path.Combine(projectDirectory, "appsettings.json");
        var fromEnvironment = Environment.GetEnvironmentVariables().Keys.Cast<object>()
            .Any(k => k is string name && name.StartsWith(OrchestrateOptions.Section + "__", StringComparison.OrdinalIgnoreCase));
        var options = new OrchestrateOptions();
        if (!File.Exists(file) && !fromEnvironment)
        {
            return options;
        }

        Bind(file, options);

        foreach (var (name, limit) in options.Resources)
        {
            if (limit < 1)
            {
                throw new UsageException($"configuration: Orchestrate:Resources:{name} is {limit}: a resource limit must be 1 or more");
            }
        }

        if (options.Persist < 0)
        {
            throw new UsageException($"configuration: Orchestrate:Persist is {options.Persist}: it must be 0 (close connections at the end) or a number of seconds");
        }

        return options.Jobs < 0
            ? throw new UsageException($"configuration: Orchestrate:Jobs is {options.Jobs}: it must be 0 (the processor count) or more")
            : options;
    }

    // Apart from Read, so that a project without configuration never loads Microsoft.Extensions.Configuration.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Bind(string file, OrchestrateOptions options)
    {
        try
        {
            new ConfigurationBuilder()
                .AddJsonFile(file, optional: true, reloadOnChange: false)
                .AddEnvironmentVariables()
                .Build()
                .GetSection(OrchestrateOptions.Section)
                .Bind(options);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new UsageException($"configuration: {e.Message}: fix the Orchestrate section of {file} or the Orchestrate__* environment variables");
        }
    }

}
