using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

/// <summary>
/// The generator reuses its task models when only method bodies change, and moves their locations. Whatever the
/// edit, the incremental run must report exactly what a run from scratch on the edited source reports.
/// </summary>
[TestFixture]
public sealed class BodyEditTests
{
    private const string First = Usings + """
        public static class Build
        {
            /// <summary>Compile the sources.</summary>
            [Task, FileDep("src/a.c"), Targets("obj/a.o")]
            public static void Compile(TaskContext ctx)
            {
                var step = 1;
                ctx.Log("compile " + step);
            }

            public static int Helper() => 42;

            [Task, DependsOn(nameof(Compile)), DependsOn("Tset")]
            public static Task Link(TaskContext ctx, int level) => ctx.Shell("link");

            [Task, ConfigChanged("Missing"), Clean("Helpr")]
            public static void Configure() { }

            public string Name { get { return "x"; } set { _ = value; } }
        }
        """;

    private const string Second = Usings + """
        public static class More
        {
            [Task, DependsOn("Build.Link"), DependsOn("nothing"), Targets("obj/a.o")]
            public static void Pack()
            {
                var step = 2;
            }

            [Task("bad name!")]
            public static void Other() { }
        }
        """;

    private static IEnumerable<TestCaseData> Edits()
    {
        yield return new TestCaseData(First, "var step = 1;", "var step = 1;\n        step++;\n\n        step--;").SetName("LinesAddedInABody");
        yield return new TestCaseData(First, "var step = 1;\n        ctx.Log(\"compile \" + step);\n", "").SetName("LinesRemovedFromABody");
        yield return new TestCaseData(First, "=> ctx.Shell(\"link\");", "{ return ctx.Shell(\"link\"); }").SetName("ExpressionBodyToBlock");
        yield return new TestCaseData(First, "ctx.Log(\"compile \" + step);\n    }", "ctx.Log(\"compile \" + step);\n").SetName("MissingCloseBrace");
        yield return new TestCaseData(First, "var step = 1;", "var step = 1;\n#nullable disable\n").SetName("DirectiveInABody");
        yield return new TestCaseData(First, "var step = 1;", "var step = 1; /* } */ var s = \"{\";").SetName("BracesInCommentsAndStrings");
        yield return new TestCaseData(First, "get { return \"x\"; }", "get\n        {\n            return \"y\";\n        }").SetName("AccessorBody");
        yield return new TestCaseData(First, "public static int Helper() => 42;", "[Task] public static int Helper() => 42;").SetName("TaskAdded");
        yield return new TestCaseData(First, "nameof(Compile)", "nameof(Helper)").SetName("AttributeArgumentChanged");
        yield return new TestCaseData(First, "public static void Configure() { }", "public static void Configure() { }\n    public static int Missing() => 1;").SetName("RuleMethodAdded");
        yield return new TestCaseData(Second, "var step = 2;", "var step = 2;\n\n\n").SetName("OtherFileBodyEdited");
        yield return new TestCaseData(Second, "var step = 2;", "var step = 2; }\n    public static void Extra() {").SetName("OtherFileMemberSplit");
    }

    [TestCaseSource(nameof(Edits))]
    public void IncrementalRun_ReportsWhatARunFromScratchReports(string file, string find, string replace)
    {
        SyntaxTree first = Parse(First, "Build.cs");
        SyntaxTree second = Parse(Second, "More.cs");
        Compilation compilation = CreateCompilation(first, second);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);

        SyntaxTree tree = file == First ? first : second;
        string text = tree.GetText().ToString();
        int at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), find);
        SyntaxTree edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(at, find.Length), replace)));
        Compilation next = compilation.ReplaceSyntaxTree(tree, edited);

        GeneratorRunResult incremental = driver.RunGenerators(next).GetRunResult().Results.Single();
        GeneratorRunResult scratch = CreateDriver().RunGenerators(next).GetRunResult().Results.Single();

        Assert.That(incremental.Exception, Is.Null);
        Assert.That(Describe(incremental.Diagnostics), Is.EqualTo(Describe(scratch.Diagnostics)));
        Assert.That(incremental.Diagnostics, Is.Not.Empty);
        Assert.That(incremental.GeneratedSources.Select(s => s.SourceText.ToString()),
            Is.EqualTo(scratch.GeneratedSources.Select(s => s.SourceText.ToString())));
    }

    [Test]
    public void AddingLinesInABody_MovesTheDiagnosticsBelowIt()
    {
        SyntaxTree tree = Parse(First, "Build.cs");
        Compilation compilation = CreateCompilation(tree);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);
        Diagnostic[] before = driver.GetRunResult().Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();

        string text = tree.GetText().ToString();
        int at = text.IndexOf("var step = 1;", StringComparison.Ordinal);
        SyntaxTree edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(at, 0), "// one\n// two\n")));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Diagnostic[] after = result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();

        Assert.That(after.Select(d => d.Id), Is.EqualTo(before.Select(d => d.Id)));
        Assert.That(after.Select(d => d.Line()), Is.EqualTo(before.Select(d => d.Line() + 2)));
        Assert.That(after.Select(d => edited.GetText().ToString(d.Location.SourceSpan)),
            Is.EqualTo(before.Select(d => tree.GetText().ToString(d.Location.SourceSpan))));
        Assert.That(result.TrackedSteps[Orchestrate.Generators.TrackingNames.TaskSpecs].SelectMany(s => s.Outputs).Select(o => o.Reason),
            Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    private static string[] Describe(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics
            .Select(d => $"{d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} @ {Where(d.Location)} + "
                + string.Join(", ", d.AdditionalLocations.Select(Where)))
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToArray();

    // File and line span only: models compare locations by line span (LocationInfo), so an edit that keeps the
    // lines keeps the earlier model and its character offsets, by design and as before.
    private static string Where(Location location) =>
        $"{location.GetLineSpan().Path}:{location.GetLineSpan().Span}";
}
