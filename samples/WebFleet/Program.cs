using Orchestrate;
using Orchestrate.Remote;
using Orchestrate.Remote.Testbed;

// The web hosts come from --inventory FILE or the Inventory section of appsettings.json. When neither is there,
// this sample brings up its own: three OpenSSH servers on loopback (127.0.0.2-4), the test hosts Orchestrate's own
// tests use, named web1-web3 in group "web", for this run only.
if (NeedsHosts(args) && !InventoryConfigured(args))
{
    if (LoopbackTestbed.CheckPrerequisites() is { } missing)
    {
        Console.Error.WriteLine($"note: no inventory is configured and no loopback test hosts can start here ({missing}); the web tasks will fail. Pass --inventory FILE to deploy to real hosts.");
        return await Orchestrator.RunAsync(args);
    }

    await using var testbed = await LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { Hosts = 3, Port = 0 });
    var hosts = testbed.Hosts.Select((host, i) => InventoryBuilder.HostSpecOf(testbed, host) with { Name = $"web{i + 1}", Groups = ["web"] }).ToList();
    var where = string.Join(", ", hosts.Select(h => $"{h.Name} = {h.Address}:{h.Port}"));
    Console.Error.WriteLine($"note: no inventory is configured: using 3 loopback test hosts started for this run ({where}). Pass --inventory FILE to deploy to real hosts.");
    return await Orchestrator.RunAsync(args, new OrchestratorSettings { Inventory = InventoryBuilder.FromHosts(hosts, "loopback testbed (3 hosts)") });
}

return await Orchestrator.RunAsync(args);

// Listing or describing tasks needs no hosts.
static bool NeedsHosts(string[] args) =>
    args.Length == 0 || !new[] { "list", "info", "graph", "forget", "clean", "ignore", "--help", "-h", "-?", "--version" }.Contains(args[0]);

// An inventory given with --inventory, or an Inventory section in the project's appsettings.json.
static bool InventoryConfigured(string[] args)
{
    if (args.Any(a => a is "--inventory" or "-i" || a.StartsWith("--inventory=", StringComparison.Ordinal)))
    {
        return true;
    }

    var project = typeof(WebFleet.Fleet).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .OfType<System.Reflection.AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "Orchestrate.ProjectDirectory")?.Value ?? Environment.CurrentDirectory;
    var settings = Path.Combine(project, "appsettings.json");
    return File.Exists(settings) && File.ReadAllText(settings).Contains("\"Inventory\"", StringComparison.Ordinal);
}
