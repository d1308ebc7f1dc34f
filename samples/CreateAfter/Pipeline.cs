using Orchestrate;

namespace CreateAfter;

/// <summary>
/// doit's create_after example: <see cref="Generate"/> writes the .in files, <see cref="Convert"/> is created after it
/// ran, with one sub-task per .in file it finds, and <see cref="Summary"/> depends on every .out file, a list that
/// <see cref="FindOutputs"/> computes at run time (calc_dep).
/// </summary>
public static class Pipeline
{
    /// <summary>Write data/NAME.in for each name in names.txt</summary>
    [Task, FileDep("names.txt")]
    public static async Task Generate(TaskContext ctx)
    {
        var data = Directory.CreateDirectory(Path.Combine(ctx.ProjectDirectory, "data"));
        foreach (var name in await Names(ctx))
        {
            await File.WriteAllTextAsync(Path.Combine(data.FullName, name + ".in"), $"{name}: generated input\n", ctx.CancellationToken);
        }
    }

    /// <summary>Turn each data/*.in file into data/*.out (one sub-task per file)</summary>
    // Called once Generate is done, so it sees the files Generate wrote. `dotnet run -- data/b.out` runs
    // Generate, then only the sub-task that makes data/b.out: the regex says this group makes such targets.
    [Task, CreateAfter(nameof(Generate), TargetRegex = @"data/.*\.out")]
    public static IEnumerable<SubTask> Convert(TaskContext ctx)
    {
        var inputs = Directory.GetFiles(Path.Combine(ctx.ProjectDirectory, "data"), "*.in").Order(StringComparer.Ordinal);
        foreach (var input in inputs.Select(Path.GetFileName))
        {
            var source = "data/" + input;
            var target = Path.ChangeExtension(source, ".out");
            yield return new SubTask(input!)
            {
                Doc = $"{source} -> {target}",
                FileDeps = [source],
                Targets = [target],
                Action = async sub =>
                {
                    var text = await File.ReadAllTextAsync(Path.Combine(sub.ProjectDirectory, source), sub.CancellationToken);
                    await File.WriteAllTextAsync(Path.Combine(sub.ProjectDirectory, target), text.ToUpperInvariant(), sub.CancellationToken);
                },
            };
        }
    }

    /// <summary>List the .out files, as file deps of summary</summary>
    [Task, DependsOn(nameof(Convert)), FileDep("data/*.out")]
    public static CalculatedDeps FindOutputs(TaskContext ctx) => new()
    {
        FileDeps = [.. Directory.GetFiles(Path.Combine(ctx.ProjectDirectory, "data"), "*.out")
            .Select(p => "data/" + Path.GetFileName(p))
            .Order(StringComparer.Ordinal)],
    };

    /// <summary>Write data/summary.txt from every .out file</summary>
    // Out of date when any .out file changes, or one is added or removed: FindOutputs lists them.
    [Task(Default = true), CalcDep(nameof(FindOutputs)), Targets("data/summary.txt")]
    public static async Task Summary(TaskContext ctx)
    {
        var lines = new List<string>();
        foreach (var output in ctx.FileDeps.Order(StringComparer.Ordinal))
        {
            lines.Add((await File.ReadAllTextAsync(Path.Combine(ctx.ProjectDirectory, output), ctx.CancellationToken)).TrimEnd());
        }

        await File.WriteAllLinesAsync(Path.Combine(ctx.ProjectDirectory, "data", "summary.txt"), lines, ctx.CancellationToken);
    }

    private static async Task<string[]> Names(TaskContext ctx) =>
        (await File.ReadAllLinesAsync(Path.Combine(ctx.ProjectDirectory, "names.txt"), ctx.CancellationToken))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0)
            .ToArray();
}
