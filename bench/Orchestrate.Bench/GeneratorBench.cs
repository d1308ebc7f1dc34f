using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Orchestrate.Generators;
using static Orchestrate.Bench.Harness;

namespace Orchestrate.Bench;

/// <summary>
/// The source generator on a project of many [Task] methods, spread over several files: the first run on a new
/// compilation (cold: first in the process, JIT included; warm: after a run on another compilation), then single
/// edits inside one method body, as an IDE makes them. The generator's own time comes from the driver's timing info.
/// For scale, the C# compiler's own GetDiagnostics() on the same source.
/// </summary>
internal static class GeneratorBench
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse);

    public static int Run(Options options)
    {
        var taskCount = options.Int("tasks", 2000);
        var files = options.Int("files", 20);
        var warmup = options.Int("warmup", 3);
        var reps = options.Int("reps", 5);
        var edits = options.Int("edits", 21);
        PrintEnvironment();
        Console.WriteLine($"# generator: {taskCount} [Task] methods in {files} files, {reps} first runs, {edits} edits, medians");

        var references = References();
        var sources = MakeSources("Bench", taskCount, files);

        // Cold: the very first run in this process, JIT and Roslyn's own warm-up included.
        var compilation = Compile(sources, references);
        var (driver, cold, coldWall) = FirstRun(compilation);
        CheckOutput(driver, taskCount);
        Console.WriteLine($"first run, cold  {F(cold),8} ms  (wall {F(coldWall)} ms)");
        Result("generator.first_run_cold.ms", cold);

        // Warm-up on different compilations (other names, same shape): first run, edits, compiler; several rounds,
        // so that Roslyn's and the generator's hot paths reach tier-1 code, as in a long-lived IDE or build server.
        for (var w = 0; w < warmup; w++)
        {
            var other = Compile(MakeSources("Warm" + w.ToString(CultureInfo.InvariantCulture), taskCount, files), references);
            var (warmDriver, _, _) = FirstRun(other);
            EditRuns(warmDriver, other, 10);
            _ = Compile(MakeSources("WarmC" + w.ToString(CultureInfo.InvariantCulture), taskCount, files), references).GetDiagnostics();
        }

        // First run, warm: a new driver on a new compilation (freshly parsed) each time.
        var firstRuns = new List<double>();
        var firstWall = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            compilation = Compile(sources, references);
            Settle();
            (driver, var time, var wall) = FirstRun(compilation);
            firstRuns.Add(time);
            firstWall.Add(wall);
        }

        CheckOutput(driver, taskCount);
        var first = Median(firstRuns);
        Console.WriteLine($"first run, warm  {F(first),8} ms  (wall {F(Median(firstWall))} ms; min {F(firstRuns.Min())}, max {F(firstRuns.Max())})");
        Result("generator.first_run.ms", first);
        Result("generator.first_run_min.ms", firstRuns.Min());

        // Edits: each changes one statement inside one method body, in a different file each time.
        var (editTimes, editWall, finalDriver) = EditRuns(driver, compilation, edits);
        CheckOutput(finalDriver, taskCount);
        var edit = Median(editTimes);
        Console.WriteLine($"edit in a body   {F(edit),8} ms  (wall {F(Median(editWall))} ms; min {F(editTimes.Min())}, max {F(editTimes.Max())})");
        Result("generator.edit.ms", edit);
        Result("generator.edit_min.ms", editTimes.Min());
        Console.WriteLine("# edit samples (ms, in order): " + string.Join(" ", editTimes.Select(F)));

        // Edits of a declaration (an attribute argument): the generator must look at the symbols again.
        var (declarationTimes, _, declarationDriver) = EditRuns(finalDriver, compilation, Math.Max(1, edits / 4), "FileDep(\"src/", "FileDep(\"src/x");
        CheckOutput(declarationDriver, taskCount);
        Console.WriteLine($"edit in a declaration {F(Median(declarationTimes)),8} ms  (min {F(declarationTimes.Min())}, max {F(declarationTimes.Max())})");
        Result("generator.declaration_edit.ms", Median(declarationTimes));

        // The compiler's own work on the same source, for scale: a new compilation each time (parsing not timed).
        var compiler = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            var fresh = Compile(sources, references);
            Settle();
            var start = Stopwatch.GetTimestamp();
            var diagnostics = fresh.GetDiagnostics();
            compiler.Add(Ms(start));
            var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            if (errors.Length > 0)
            {
                throw new InvalidOperationException($"the generated project does not compile: {errors[0]}");
            }
        }

        var compile = Median(compiler);
        Console.WriteLine($"compiler GetDiagnostics() {F(compile),8} ms  (min {F(compiler.Min())}, max {F(compiler.Max())}); generator first run / compiler = {F(first / compile)}");
        Result("generator.compiler_diagnostics.ms", compile);

        if (options.Int("steps", 0) > 0)
        {
            Steps(Compile(sources, references));
        }

        return 0;
    }

    private static (GeneratorDriver Driver, double GeneratorMs, double WallMs) FirstRun(Compilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new TaskGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
        var start = Stopwatch.GetTimestamp();
        driver = driver.RunGenerators(compilation);
        var wall = Ms(start);
        return (driver, GeneratorTime(driver), wall);
    }

    /// <summary>Where the time goes: the same first run and one edit with step tracking on, time per tracked step.</summary>
    private static void Steps(Compilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new TaskGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);
        Print("first run", driver);
        (_, _, driver) = EditRuns(driver, compilation, 1);
        Print("one edit", driver);

        static void Print(string label, GeneratorDriver driver)
        {
            var result = driver.GetRunResult().Results[0];
            var parts = result.TrackedSteps
                .Select(step => (step.Key, Ms: step.Value.Sum(run => run.ElapsedTime.TotalMilliseconds), Runs: step.Value.Length))
                .OrderByDescending(p => p.Ms)
                .Select(p => $"{p.Key} {F(p.Ms)} ms ({p.Runs} runs)");
            Console.WriteLine($"# steps, {label} (generator {F(GeneratorTime(driver))} ms): {string.Join("; ", parts)}");
        }
    }

    private static (List<double> Times, List<double> Wall, GeneratorDriver Driver) EditRuns(GeneratorDriver driver, Compilation compilation, int edits) =>
        EditRuns(driver, compilation, edits, null, null);

    /// <summary>
    /// Edits one file per run, in turn: by default one statement inside one method body; with <paramref name="find"/>,
    /// the first occurrence of it is replaced by <paramref name="replace"/> instead.
    /// </summary>
    private static (List<double> Times, List<double> Wall, GeneratorDriver Driver) EditRuns(
        GeneratorDriver driver, Compilation compilation, int edits, string? find, string? replace)
    {
        var times = new List<double>();
        var wall = new List<double>();
        var trees = compilation.SyntaxTrees.ToArray();
        for (var e = 0; e < edits; e++)
        {
            var f = e % trees.Length;
            var tree = trees[f];
            var text = tree.GetText();
            var content = text.ToString();

            TextChange change;
            if (find is null)
            {
                // Every body holds "var step = N;": change the first one of this file.
                const string marker = "var step = ";
                var at = content.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
                var end = content.IndexOf(';', at);
                change = new TextChange(TextSpan.FromBounds(at, end), "(" + content[at..end] + ") + 1");
            }
            else
            {
                change = new TextChange(new TextSpan(content.IndexOf(find, StringComparison.Ordinal), find.Length), replace!);
            }

            var edited = tree.WithChangedText(text.WithChanges(change));
            compilation = compilation.ReplaceSyntaxTree(tree, edited);
            trees[f] = edited;

            Settle();
            var start = Stopwatch.GetTimestamp();
            driver = driver.RunGenerators(compilation);
            wall.Add(Ms(start));
            times.Add(GeneratorTime(driver));
        }

        return (times, wall, driver);
    }

    private static double GeneratorTime(GeneratorDriver driver) => driver.GetTimingInfo().GeneratorTimes[0].ElapsedTime.TotalMilliseconds;

    private static void CheckOutput(GeneratorDriver driver, int taskCount)
    {
        var result = driver.GetRunResult();
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        if (problems.Length > 0 || result.Results[0].Exception is not null)
        {
            throw new InvalidOperationException($"the generator reported {problems.Length} problems, first: {problems.FirstOrDefault()}; exception: {result.Results[0].Exception}");
        }

        var generated = result.GeneratedTrees.Sum(t => t.GetText().Lines.Count(l => l.ToString().Trim() == "new global::Orchestrate.TaskDescriptor"));
        if (generated != taskCount)
        {
            throw new InvalidOperationException($"the catalog holds {generated} descriptors, expected {taskCount}");
        }
    }

    private static CSharpCompilation Compile(string[] sources, ImmutableArray<MetadataReference> references) =>
        CSharpCompilation.Create(
            "BenchTasks",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Tasks{i}.cs", encoding: Encoding.UTF8)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The framework's reference set as the trusted platform assemblies of this process, and Orchestrate.Abstractions.</summary>
    private static ImmutableArray<MetadataReference> References()
    {
        var runtimeDirectory = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory());
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetFullPath(p).StartsWith(runtimeDirectory, StringComparison.Ordinal));
        return trusted
            .Append(typeof(TaskDescriptor).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>
    /// <paramref name="count"/> [Task] methods over <paramref name="files"/> static classes. Every task has a unique
    /// file dep and target; every other one depends on an earlier task (by nameof, across files), every third one
    /// reads an earlier task's target; return types and parameters vary.
    /// </summary>
    public static string[] MakeSources(string ns, int count, int files)
    {
        var perFile = (count + files - 1) / files;
        var sources = new string[files];
        for (var f = 0; f < files; f++)
        {
            var sb = new StringBuilder();
            sb.Append("using System.Threading;\nusing System.Threading.Tasks;\nusing Orchestrate;\n\n");
            sb.Append(CultureInfo.InvariantCulture, $"namespace {ns};\n\n/// <summary>Generated tasks, part {f}.</summary>\npublic static class Tasks{f}\n{{\n");
            for (var i = f * perFile; i < Math.Min(count, (f + 1) * perFile); i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    /// <summary>Task number {i}.</summary>\n");
                sb.Append(CultureInfo.InvariantCulture, $"    [Task, FileDep(\"src/{ns}/in{i}.txt\"), Targets(\"out/{ns}/t{i}.o\")]\n");
                if (i > 0 && i % 2 == 0)
                {
                    var j = (i * 7919) % i;
                    sb.Append(CultureInfo.InvariantCulture, $"    [DependsOn(nameof(Tasks{j / perFile}.Work{j}))]\n");
                }

                if (i > 0 && i % 3 == 0)
                {
                    var j = i - 1 - ((i * 31) % Math.Min(i, 50));
                    sb.Append(CultureInfo.InvariantCulture, $"    [FileDep(\"out/{ns}/t{j}.o\")]\n");
                }

                switch (i % 4)
                {
                    case 0:
                        sb.Append(CultureInfo.InvariantCulture, $"    public static void Work{i}(TaskContext ctx)\n    {{\n        var step = {i};\n        ctx.Log(\"task {i} step \" + step);\n    }}\n\n");
                        break;
                    case 1:
                        sb.Append(CultureInfo.InvariantCulture, $"    public static Task Work{i}(TaskContext ctx)\n    {{\n        var step = {i};\n        return ctx.Shell(\"echo \" + step);\n    }}\n\n");
                        break;
                    case 2:
                        sb.Append(CultureInfo.InvariantCulture, $"    public static async Task<int> Work{i}(CancellationToken token)\n    {{\n        var step = {i};\n        await Task.Delay(0, token);\n        return step;\n    }}\n\n");
                        break;
                    default:
                        sb.Append(CultureInfo.InvariantCulture, $"    public static void Work{i}()\n    {{\n        var step = {i};\n        _ = step;\n    }}\n\n");
                        break;
                }
            }

            sb.Append("}\n");
            sources[f] = sb.ToString();
        }

        return sources;
    }
}
