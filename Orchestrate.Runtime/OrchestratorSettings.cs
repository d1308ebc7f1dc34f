using Microsoft.Extensions.Hosting;

namespace Orchestrate;

/// <summary>Where an Orchestrate program gets its tasks, where it writes, and how its services are set up.
/// Programs normally need none of this: <c>Orchestrator.RunAsync(args)</c> takes the generated tasks and the console.</summary>
public sealed record OrchestratorSettings
{
    /// <summary>The tasks; default: those the source generator registered in <see cref="TaskCatalog"/>.</summary>
    public IReadOnlyList<TaskDescriptor>? Tasks { get; init; }

    /// <summary>Where the run is reported; default: the console's standard output.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Where usage errors go; default: the console's standard error.</summary>
    public TextWriter? Error { get; init; }

    /// <summary>The project directory when <c>-C</c> is not given; default: the current directory.</summary>
    public string? ProjectDirectory { get; init; }

    /// <summary>Adds the program's own services and configuration to the host.</summary>
    public Action<HostApplicationBuilder>? ConfigureHost { get; init; }

    /// <summary>The hosts; default: <c>--inventory FILE</c>, else the <c>Inventory</c> section of appsettings.json.
    /// A program may build one in code (the main sample brings up loopback test hosts when none are configured).</summary>
    public Remote.Inventory.Inventory? Inventory { get; init; }

    /// <summary>Own Ctrl+C and SIGTERM: on by default; off for embedding, where the caller cancels through the token.</summary>
    public bool HandleSignals { get; init; } = true;
}
