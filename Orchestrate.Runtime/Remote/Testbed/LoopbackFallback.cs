namespace Orchestrate.Remote.Testbed;

/// <summary>
/// Runs a program's command line against its configured hosts, or, when none are configured, against loopback test
/// hosts started for the run: what lets a deployment program (the samples) run on any machine with openssh-server.
/// </summary>
public static class LoopbackFallback
{
    private static readonly string[] CommandsWithoutHosts = ["list", "info", "graph", "forget", "clean", "ignore", "--help", "-h", "-?", "--version"];

    /// <summary>
    /// Runs <paramref name="args"/> as <see cref="Orchestrator.RunAsync(string[])"/> does. When the command needs hosts
    /// and no inventory is configured (neither <c>--inventory</c> nor an <c>Inventory</c> section in the project's
    /// appsettings.json), starts <paramref name="hosts"/> loopback test hosts (<see cref="LoopbackTestbed"/>), named
    /// <paramref name="hostPrefix"/>1, 2, ... (default: the testbed's node1, node2, ...) in group
    /// <paramref name="group"/>, says so on standard error, and stops them after the run. Where they cannot start
    /// (no sshd, not root), says why and runs without them: the host tasks then fail, naming the missing inventory.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, string group, string? hostPrefix = null, int hosts = 3)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!NeedsHosts(args) || InventoryConfigured(args))
        {
            return await Orchestrator.RunAsync(args).ConfigureAwait(false);
        }

        if (LoopbackTestbed.CheckPrerequisites() is { } missing)
        {
            await Console.Error.WriteLineAsync($"note: no inventory is configured and no loopback test hosts can start here ({missing}); the {group} tasks will fail. Pass --inventory FILE to deploy to real hosts.").ConfigureAwait(false);
            return await Orchestrator.RunAsync(args).ConfigureAwait(false);
        }

        await using var testbed = await LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { Hosts = hosts, Port = 0 }).ConfigureAwait(false);
        var specs = testbed.Hosts
            .Select((host, i) => InventoryBuilder.HostSpecOf(testbed, host) with { Name = hostPrefix is null ? host.Name : $"{hostPrefix}{i + 1}", Groups = [group] })
            .ToList();
        var where = string.Join(", ", specs.Select(h => $"{h.Name} = {h.Address}:{h.Port}"));
        await Console.Error.WriteLineAsync($"note: no inventory is configured: using {hosts} loopback test hosts started for this run ({where}). Pass --inventory FILE to deploy to real hosts.").ConfigureAwait(false);
        return await Orchestrator.RunAsync(args, new OrchestratorSettings { Inventory = InventoryBuilder.FromHosts(specs, $"loopback testbed ({hosts} hosts)") }).ConfigureAwait(false);
    }

    // Listing or describing tasks needs no hosts.
    private static bool NeedsHosts(string[] args) => args.Length == 0 || Array.IndexOf(CommandsWithoutHosts, args[0]) < 0;

    // An inventory given with --inventory, or an Inventory section in the project's appsettings.json.
    private static bool InventoryConfigured(string[] args)
    {
        if (args.Any(a => a is "--inventory" or "-i" || a.StartsWith("--inventory=", StringComparison.Ordinal)))
        {
            return true;
        }

        var project = Cli.CommandLineApp.BuiltProjectDirectory() ?? Environment.CurrentDirectory;
        var settings = Path.Combine(project, "appsettings.json");
        return File.Exists(settings) && File.ReadAllText(settings).Contains("\"Inventory\"", StringComparison.Ordinal);
    }
}
