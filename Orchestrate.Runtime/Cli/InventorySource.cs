using Orchestrate.Remote;
using Orchestrate.Remote.Inventory;

namespace Orchestrate.Cli;

/// <summary>Where the run's inventory comes from: the program's settings, <c>--inventory FILE</c>, or the
/// <c>Inventory</c> section of appsettings.json in the project directory. Null when there is none.</summary>
internal static class InventorySource
{
    public static Inventory? Load(OrchestratorSettings settings, string? file, string projectDirectory)
    {
        if (file is not null)
        {
            if (string.IsNullOrWhiteSpace(file) || file.Contains('\0'))
            {
                throw new UsageException($"--inventory {Remote.Inventory.Text.Quote(file)} is not a file path: give the inventory file (.json or .yml)");
            }

            var path = Path.GetFullPath(file);
            return File.Exists(path)
                ? Wrap(() => Inventory.Load(path))
                : throw new UsageException($"inventory file '{file}' does not exist: fix the path given with --inventory");
        }

        if (settings.Inventory is { } given)
        {
            return given;
        }

        var appsettings = Path.Combine(projectDirectory, "appsettings.json");
        return File.Exists(appsettings) ? FromAppSettings(appsettings, projectDirectory) : null;
    }

    // The file's Inventory section, read as JSON with the positions of its values (errors say file:line:column), in
    // one pass: read through Microsoft.Extensions.Configuration, an inventory of 20,000 hosts took 23 s (a section's
    // children are found by scanning every key). No section, or "Inventory": null, is no inventory. Hosts are sorted
    // by name, as configuration lists them.
    private static Inventory? FromAppSettings(string appsettings, string projectDirectory) => Wrap(() =>
    {
        var root = InventoryDocument.FromJson(File.ReadAllBytes(appsettings), appsettings);
        var section = root is MapNode map ? map.Entries.FirstOrDefault(e => e.Key.Equals("Inventory", StringComparison.OrdinalIgnoreCase)) : null;
        return section is null || NodeValues.IsNull(section.Value)
            ? null
            : OrchestrateInventoryReader.Read(section.Value, appsettings, projectDirectory, sortHostsByName: true);
    });

    /// <summary>Expands host tasks over the inventory, after --limit.</summary>
    public static ExpandedTasks Expand(IReadOnlyList<TaskDescriptor> tasks, Inventory? inventory, string? limit)
    {
        if (inventory is null || !tasks.Any(t => t.Hosts is not null))
        {
            return new ExpandedTasks(tasks, new Dictionary<string, HostSpec>());
        }

        return Wrap(() => HostExpansion.Expand(tasks, task => inventory.Limit(inventory.Select(task.Hosts!), limit)));
    }

    private static T Wrap<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (InventoryException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
