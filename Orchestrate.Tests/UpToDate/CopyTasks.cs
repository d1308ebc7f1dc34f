using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.UpToDate;

/// <summary>The incremental benchmark's graph, small: copy-i copies src/f{i}.txt (its one file dep) to out/f{i}.txt (its one target).</summary>
internal static class CopyTasks
{
    /// <summary>Writes the sources and adds the tasks; returns their names.</summary>
    public static string[] Add(CliHarness cli, int count)
    {
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            var (source, target) = ($"src/f{i}.txt", $"out/f{i}.txt");
            cli.Write(source, $"file {i:D4}\n");
            names[i] = $"copy-{i}";
            cli.Add(names[i], ctx =>
            {
                Directory.CreateDirectory(Path.Combine(ctx.ProjectDirectory, "out"));
                File.Copy(Path.Combine(ctx.ProjectDirectory, source), Path.Combine(ctx.ProjectDirectory, target), overwrite: true);
                return Task.CompletedTask;
            }, fileDeps: [source], targets: [target]);
        }

        return names;
    }
}
