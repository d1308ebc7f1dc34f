using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Orchestrate.Generators;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

[TestFixture]
public sealed class IncrementalityTests
{
    private const string Source = Usings + """
        public static class Build
        {
            /// <summary>Compile the C sources</summary>
            [Task, FileDep("src/hello.c"), Targets("obj/hello.o")]
            public static Task Compile(TaskContext ctx) => ctx.Shell("gcc -c src/hello.c -o obj/hello.o");

            [Task, DependsOn(nameof(Compile))]
            [FileDep("obj/hello.o"), Targets("bin/hello")]
            public static Task Link(TaskContext ctx, CancellationToken ct) => ctx.Run("gcc", "obj/hello.o", "-o", "bin/hello");

            [Task, DependsOn("Tset")]
            public static void Package() { }
        }

        public class Deploy
        {
            [Task("deploy-site", Default = true), DependsOn("Build.Link")]
            public async Task<string> Site(TaskContext ctx)
            {
                await ctx.Shell("rsync -a bin/ host:/srv");
                return "done";
            }
        }
        """;

    private static readonly string[] StepNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(string before, string after, string path = "Tasks.cs")
    {
        SyntaxTree original = Parse(before, path);
        Compilation compilation = CreateCompilation(original);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();

        Compilation edited = compilation.ReplaceSyntaxTree(original, Parse(after, path));
        driver = driver.RunGenerators(edited);
        return (first, driver.GetRunResult().Results.Single());
    }

    private static IEnumerable<(string Step, IncrementalStepRunReason Reason)> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => (step, o.Reason));

    [Test]
    public void StepNames_AreAllTracked()
    {
        (GeneratorRunResult first, _) = RunTwice(Source, Source);
        Assert.That(StepNames, Is.EquivalentTo(new[] { "TaskModels", "TaskSpecs", "Catalog", "Diagnostics" }));
        foreach (string step in StepNames)
        {
            Assert.That(first.TrackedSteps.ContainsKey(step), Is.True, step);
            Assert.That(first.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason), Is.All.EqualTo(IncrementalStepRunReason.New), step);
        }
    }

    [Test]
    public void EditingAMethodBody_WithoutChangingLineCount_KeepsEveryStepCached()
    {
        string edited = Source
            .Replace("ctx.Shell(\"gcc -c src/hello.c -o obj/hello.o\")", "ctx.Shell(\"clang -O2 -c src/hello.c -o obj/hello.o\")", StringComparison.Ordinal)
            .Replace("return \"done\";", "return \"deployed everything\";", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(Source));

        (_, GeneratorRunResult second) = RunTwice(Source, edited);
        foreach (string step in StepNames)
        {
            Assert.That(Reasons(second, step).Select(r => r.Reason),
                Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
        }

        Assert.That(second.TrackedSteps[TrackingNames.TaskModels].SelectMany(s => s.Outputs).Select(o => o.Reason),
            Has.Some.EqualTo(IncrementalStepRunReason.Unchanged), "the edited file was transformed again and compared equal");
        Assert.That(second.Diagnostics.Single().Id, Is.EqualTo("ORCH0002"));
    }

    [Test]
    public void AddingALineAboveTasks_KeepsCatalogAndItsSourceOutputCached_AndMovesDiagnostics()
    {
        string edited = Source.Replace("public static class Build", "// a new line\npublic static class Build", StringComparison.Ordinal);
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(Source, edited);

        Assert.That(Reasons(second, TrackingNames.TaskModels).Select(r => r.Reason), Has.Some.EqualTo(IncrementalStepRunReason.Modified),
            "locations moved");
        foreach (string step in new[] { TrackingNames.TaskSpecs, TrackingNames.Catalog })
        {
            Assert.That(Reasons(second, step).Select(r => r.Reason),
                Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
        }

        IncrementalGeneratorRunStep catalogOutput = second.TrackedOutputSteps["SourceOutput"]
            .Single(s => s.Inputs.Any(i => i.Source.Name == TrackingNames.Catalog));
        Assert.That(catalogOutput.Outputs.Select(o => o.Reason),
            Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));

        Assert.That(second.Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line,
            Is.EqualTo(first.Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line + 1));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Is.EqualTo(first.GeneratedSources.Single().SourceText.ToString()));
    }

    [Test]
    public void AddingAnUnrelatedFile_KeepsEveryStepCached()
    {
        SyntaxTree tasks = Parse(Source);
        Compilation compilation = CreateCompilation(tasks);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.AddSyntaxTrees(Parse("public static class Util { public static int Two() => 2; }", "Util.cs")));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        foreach (string step in StepNames)
        {
            Assert.That(Reasons(result, step).Select(r => r.Reason),
                Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
        }
    }

    [Test]
    public void RenamingATask_ModifiesTheCatalog()
    {
        string edited = Source.Replace("[Task(\"deploy-site\"", "[Task(\"publish-site\"", StringComparison.Ordinal);
        (_, GeneratorRunResult second) = RunTwice(Source, edited);
        Assert.That(Reasons(second, TrackingNames.Catalog).Select(r => r.Reason), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("\"publish-site\""));
    }

    [Test]
    public void TrackedStepOutputs_HoldNoSymbolsSyntaxOrCompilations()
    {
        string edited = Source.Replace("public static class Build", "// moved\npublic static class Build", StringComparison.Ordinal);
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(Source, edited);
        int checkedValues = 0;
        foreach (GeneratorRunResult result in new[] { first, second })
        {
            foreach (string step in StepNames)
            {
                foreach ((object Value, IncrementalStepRunReason _) output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
                {
                    AssertNoForbiddenValues(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance), 0);
                    checkedValues++;
                }
            }
        }

        Assert.That(checkedValues, Is.GreaterThan(10));
    }

    private static readonly Type[] ForbiddenTypes =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Compilation), typeof(Location),
    };

    internal static void AssertNoForbiddenValues(object? value, string path, HashSet<object> visited, int depth)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is decimal)
        {
            return;
        }

        Type type = value.GetType();
        Type? forbidden = ForbiddenTypes.FirstOrDefault(f => f.IsAssignableFrom(type));
        Assert.That(forbidden, Is.Null, $"{path} holds a {type.FullName}");
        Assert.That(depth, Is.LessThan(32), $"{path} is too deep");
        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        if (value is ITuple tuple)
        {
            for (int i = 0; i < tuple.Length; i++)
            {
                AssertNoForbiddenValues(tuple[i], $"{path}.Item{i + 1}", visited, depth + 1);
            }

            return;
        }

        if (value is IEnumerable enumerable)
        {
            int index = 0;
            foreach (object? item in enumerable)
            {
                AssertNoForbiddenValues(item, $"{path}[{index++}]", visited, depth + 1);
            }

            return;
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0)
            {
                AssertNoForbiddenValues(property.GetValue(value), $"{path}.{property.Name}", visited, depth + 1);
            }
        }
    }
}
