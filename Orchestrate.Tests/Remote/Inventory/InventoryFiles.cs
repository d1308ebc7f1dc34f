namespace Orchestrate.Tests.Remote.Inventory;

/// <summary>A temporary directory holding inventory files for one test.</summary>
internal sealed class InventoryFiles : IDisposable
{
    public InventoryFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "orchestrate-inventory-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    public static string Home
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("HOME");
            return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
        }
    }
}
