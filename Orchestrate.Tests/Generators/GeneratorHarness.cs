using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Orchestrate.Generators;

namespace Orchestrate.Tests.Generators;

/// <summary>Runs <see cref="TaskGenerator"/> with a real driver on real compilations.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions =
        CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest).WithDocumentationMode(DocumentationMode.Parse);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    {
        var paths = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string abstractions = typeof(TaskAttribute).Assembly.Location;
        paths.Add(abstractions);
        names.Add(Path.GetFileName(abstractions));
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (names.Add(Path.GetFileName(path)))
            {
                paths.Add(path);
            }
        }

        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    public const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Orchestrate;

        """;

    public static SyntaxTree Parse(string source, string path = "Tasks.cs") =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation CreateCompilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            "UserTasks",
            trees,
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new TaskGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator on one source file (prefixed with <see cref="Usings"/>).</summary>
    public static GenerationResult Run(string source, bool withUsings = true) =>
        Run(Parse(withUsings ? Usings + source : source));

    public static GenerationResult Run(params SyntaxTree[] trees)
    {
        CSharpCompilation compilation = CreateCompilation(trees);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GenerationResult(compilation, output, diagnostics, driver.GetRunResult().Results.Single());
    }

    /// <summary>The 1-based line of a diagnostic.</summary>
    /// <summary>Every tracked step of the generator.</summary>
    public static readonly string[] StepNames = { TrackingNames.TaskModels, TrackingNames.TaskSpecs, TrackingNames.Catalog, TrackingNames.Diagnostics };

    /// <summary>Runs the generator on <paramref name="before"/>, then again after the tree was replaced by <paramref name="after"/>.</summary>
    public static GeneratorRunResult RunEdited(string before, string after)
    {
        SyntaxTree original = Parse(before);
        Compilation compilation = CreateCompilation(original);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(original, Parse(after)));
        return driver.GetRunResult().Results.Single();
    }

    /// <summary>Why each output of a tracked step was (or was not) recomputed.</summary>
    public static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    /// <summary>Every tracked step's outputs were Cached or Unchanged, and none holds a symbol, syntax node or location.</summary>
    public static void AssertEveryStepCachedAndFreeOfSymbols(GeneratorRunResult result)
    {
        foreach (string step in StepNames)
        {
            Assert.That(Reasons(result, step), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
            foreach ((object Value, IncrementalStepRunReason _) output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                IncrementalityTests.AssertNoForbiddenValues(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance), 0);
            }
        }
    }

    /// <summary>
    /// Compiles the generated catalog, loads it in a collectible context (Orchestrate.Abstractions comes from the default
    /// context, so the descriptors have the test's own types), hands the assembly and its descriptors to
    /// <paramref name="check"/>, then unloads it.
    /// </summary>
    public static void WithEmittedCatalog(GenerationResult result, string contextName, Action<System.Reflection.Assembly, TaskDescriptor[]> check)
    {
        using var peStream = new MemoryStream();
        Assert.That(result.Output.Emit(peStream).Success, Is.True);
        peStream.Position = 0;
        var context = new System.Runtime.Loader.AssemblyLoadContext(contextName, isCollectible: true);
        try
        {
            var sample = context.LoadFromStream(peStream);
            var descriptors = (TaskDescriptor[])sample.GetType("Orchestrate.Generated.OrchestrateTaskCatalog")!
                .GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .Invoke(null, null)!;
            check(sample, descriptors);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The help link every diagnostic carries: none (the project has no public address; docs/diagnostics.md
    /// lists every id).</summary>
    public const string DiagnosticsHelpLink = "";

    /// <summary>The line of <paramref name="source"/> holding <paramref name="text"/>.</summary>
    public static string LineText(string source, string text) => source.Split('\n')[LineOf(source, text) - 1];

    /// <summary>
    /// An error with this ID, message (when given) and help link, in Tasks.cs, on the line of <paramref name="text"/> at
    /// <paramref name="columnInText"/> characters into it.
    /// </summary>
    public static void AssertDiagnostic(Diagnostic diagnostic, string id, string source, string text, int columnInText, string? message)
    {
        int line = LineOf(source, text);
        Assert.Multiple(() =>
        {
            Assert.That(diagnostic.Id, Is.EqualTo(id));
            if (message is not null)
            {
                Assert.That(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(message));
            }

            Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(diagnostic.Descriptor.HelpLinkUri, Is.EqualTo(DiagnosticsHelpLink));
            Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("Tasks.cs"));
            Assert.That(diagnostic.Line(), Is.EqualTo(line));
            Assert.That(diagnostic.Location.GetLineSpan().StartLinePosition.Character,
                Is.EqualTo(LineText(source, text).IndexOf(text, StringComparison.Ordinal) + columnInText));
        });
    }

    public static int Line(this Diagnostic diagnostic) => diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>The 1-based line of the first line of <paramref name="source"/> that contains <paramref name="text"/>.</summary>
    public static int LineOf(string source, string text, int occurrence = 1)
    {
        string[] lines = source.Split('\n');
        int seen = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(text, StringComparison.Ordinal) && ++seen == occurrence)
            {
                return i + 1;
            }
        }

        throw new ArgumentException($"'{text}' not found in source");
    }
}

internal sealed record GenerationResult(
    Compilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> Diagnostics,
    GeneratorRunResult RunResult)
{
    public string? GeneratedSource =>
        RunResult.GeneratedSources.Where(s => s.HintName == "Orchestrate.TaskCatalog.g.cs").Select(s => s.SourceText.ToString()).SingleOrDefault();

    public IReadOnlyList<Diagnostic> WithId(string id) => Diagnostics.Where(d => d.Id == id).ToList();

    /// <summary>Errors of the compilation with the generated code (compiler errors only; generator diagnostics are separate).</summary>
    public IReadOnlyList<Diagnostic> OutputErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    /// <summary>Errors and warnings in the generated file itself.</summary>
    public IReadOnlyList<Diagnostic> GeneratedFileDiagnostics =>
        Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith("Orchestrate.TaskCatalog.g.cs", StringComparison.Ordinal) == true)
            .ToList();
}
