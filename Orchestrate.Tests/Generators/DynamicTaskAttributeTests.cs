using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Orchestrate.Generators;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

/// <summary>Sub-task groups, [CreateAfter(TargetRegex = ...)] and [CalcDep]: the catalog and ORCH0040-ORCH0043.</summary>
[TestFixture]
public sealed class DynamicTaskAttributeTests
{
    private const string HelpLink = DiagnosticsHelpLink;

    private const string Sample = """
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Threading.Tasks;
        using Orchestrate;

        namespace Sample.Dynamic
        {
            public static class Pipeline
            {
                [Task, Targets("data/a.in")]
                public static void Generate() { }

                [Task, CreateAfter(nameof(Generate), TargetRegex = @"data/.*\.out")]
                public static IEnumerable<SubTask> Convert(TaskContext ctx)
                {
                    yield return new SubTask("a.in") { FileDeps = ["data/a.in"], Targets = ["data/a.out"] };
                }

                [Task]
                public static List<SubTask> Listed() => [new SubTask("one"), new SubTask("two")];

                [Task]
                public static SubTask[] Arrayed() => [new SubTask("only")];

                [Task, CreateAfter("generate")]
                public static Task<IReadOnlyList<SubTask>> Later() => Task.FromResult<IReadOnlyList<SubTask>>([new SubTask("x")]);

                [Task]
                public static ValueTask<IEnumerable<SubTask>> Awaited() => new(Enumerable.Empty<SubTask>());

                // A target regex on a task that is not a group is ORCH0042: none here.
                [Task, CreateAfter(nameof(Generate), TargetRegex = @"streamed/.*")]
                public static async IAsyncEnumerable<SubTask> Streamed()
                {
                    await Task.Yield();
                    yield return new SubTask("first");
                    yield return new SubTask("second");
                }

                [Task, FileDep("data/list.txt")]
                public static CalculatedDeps FindOutputs() => new() { FileDeps = ["data/a.out"] };

                [Task]
                public static Task<CalculatedDeps> FindMore() => Task.FromResult(new CalculatedDeps { TaskDeps = ["generate"] });

                [Task, Targets("data/summary.txt"), CalcDep(nameof(FindOutputs)), CalcDep("find-more")]
                public static void Summary() { }

                [Task]
                public static string Plain() => "result";
            }
        }
        """;

    [Test]
    public void GroupsTargetRegexAndCalcDeps_AreEmitted_AndCompileWithoutWarnings()
    {
        GenerationResult result = Run(Parse(Sample));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "sample itself compiles");
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);

        string source = result.GeneratedSource!;
        Assert.That(source, Does.Contain("""
                            Name = "convert",
                            Method = "Pipeline.Convert",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = "generate",
                            CreateAfterTargetRegex = "data/.*\\.out",
                            YieldsSubTasks = true,
                            IsDefault = false,
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain("""
                            Targets = new string[] { "data/summary.txt" },
                            CreateAfter = null,
                            CalcDeps = new string[] { "find-outputs", "find-more" },
                            IsDefault = false,
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain("""
                            Name = "plain",
                            Method = "Pipeline.Plain",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = null,
                            IsDefault = false,
            """.Replace("\r\n", "\n")), "a task without these attributes is emitted as before");
    }

    [Test]
    public void EmittedCatalog_Executes_AndGroupInvokersReturnTheirSubTasks()
    {
        GenerationResult result = Run(Parse(Sample));
        WithEmittedCatalog(result, "dynamic-task-attribute-test", (_, catalog) =>
        {
            var descriptors = catalog.ToDictionary(d => d.Name);

            Assert.Multiple(() =>
            {
                Assert.That(descriptors["convert"].YieldsSubTasks, Is.True);
                Assert.That(descriptors["convert"].CreateAfter, Is.EqualTo("generate"));
                Assert.That(descriptors["convert"].CreateAfterTargetRegex, Is.EqualTo(@"data/.*\.out"));
                Assert.That(descriptors["listed"].YieldsSubTasks, Is.True);
                Assert.That(descriptors["arrayed"].YieldsSubTasks, Is.True);
                Assert.That(descriptors["later"].YieldsSubTasks, Is.True);
                Assert.That(descriptors["later"].CreateAfterTargetRegex, Is.Null);
                Assert.That(descriptors["awaited"].YieldsSubTasks, Is.True);
                Assert.That(descriptors["streamed"].YieldsSubTasks, Is.True, "an async iterator of sub-tasks is a group too");
                Assert.That(descriptors["summary"].CalcDeps, Is.EqualTo(new[] { "find-outputs", "find-more" }));
                Assert.That(descriptors["summary"].YieldsSubTasks, Is.False);
                Assert.That(descriptors["find-outputs"].YieldsSubTasks, Is.False);
                Assert.That(descriptors["find-outputs"].CalcDeps, Is.Empty);
                Assert.That(descriptors["plain"].YieldsSubTasks, Is.False);
                Assert.That(descriptors["plain"].CreateAfterTargetRegex, Is.Null);
            });

            // The invokers of these static, parameterless methods do not touch the invocation.
            Assert.That(SubTaskNames(descriptors["listed"]), Is.EqualTo(new[] { "one", "two" }));
            Assert.That(SubTaskNames(descriptors["arrayed"]), Is.EqualTo(new[] { "only" }));
            Assert.That(SubTaskNames(descriptors["later"]), Is.EqualTo(new[] { "x" }), "the awaited list is the result");
            Assert.That(SubTaskNames(descriptors["awaited"]), Is.Empty);
            Assert.That(StreamedSubTaskNames(descriptors["streamed"]), Is.EqualTo(new[] { "first", "second" }), "the invoker returns the async stream");
            object? deps = descriptors["find-more"].Invoke(null!).AsTask().GetAwaiter().GetResult();
            Assert.That(((CalculatedDeps)deps!).TaskDeps, Is.EqualTo(new[] { "generate" }));
        });
    }

    private static string[] SubTaskNames(TaskDescriptor group)
    {
        object? result = group.Invoke(null!).AsTask().GetAwaiter().GetResult();
        return ((IEnumerable<SubTask>)result!).Select(s => s.Name).ToArray();
    }

    private static string[] StreamedSubTaskNames(TaskDescriptor group)
    {
        object? result = group.Invoke(null!).AsTask().GetAwaiter().GetResult();
        return ((IAsyncEnumerable<SubTask>)result!).ToBlockingEnumerable().Select(s => s.Name).ToArray();
    }

    [TestCase("(", "Invalid pattern '(' at offset 1. Not enough )'s")]
    [TestCase("data/[a-", "Invalid pattern 'data/[a-' at offset 8. Unterminated [] set")]
    [TestCase("a)(b", "Invalid pattern 'a)(b' at offset 2. Too many )'s")]
    [TestCase("", "it is empty, so it would match every path")]
    public void InvalidTargetRegex_IsORCH0040_OnTheArgument(string pattern, string problem)
    {
        string argument = "TargetRegex = \"" + pattern + "\"";
        string source = Usings + """
            using System.Collections.Generic;
            public static class Pipeline
            {
                [Task] public static void Generate() { }

                [Task, CreateAfter(nameof(Generate), ARGUMENT)]
                public static IEnumerable<SubTask> Convert() => [];
            }
            """.Replace("ARGUMENT", argument, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0040", source, argument, 0,
            $"Task 'convert' has TargetRegex \"{pattern}\", which is not a valid regular expression: {problem}. Fix the pattern: it is matched, from the start, against target paths named on the command line.");
        Assert.That(result.OutputErrors, Is.Empty, "the catalog still compiles");
    }

    [TestCase("public static void Convert() { }", "void")]
    [TestCase("public static Task Convert() => Task.CompletedTask;", "Task")]
    [TestCase("public static string Convert() => \"\";", "string")]
    public void TargetRegexOnATaskWithoutSubTasks_IsORCH0042(string method, string returnType)
    {
        string source = Usings + """
            public static class Pipeline
            {
                [Task] public static void Generate() { }

                [Task, CreateAfter(nameof(Generate), TargetRegex = @".*\.out")]
                METHOD
            }
            """.Replace("METHOD", method, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0042", source, "TargetRegex = @", 0,
            $"Task 'convert' has TargetRegex \".*\\.out\", but method 'Pipeline.Convert' returns '{returnType}', not sub-tasks: only sub-tasks created after 'Generate' can make the targets it matches. Return IEnumerable<SubTask> from 'Pipeline.Convert', or remove TargetRegex.");
    }

    [Test]
    public void GroupLoadedWithTheGraph_ThatTakesAService_IsORCH0043_OnTheParameter()
    {
        string source = Usings + """
            using System.Collections.Generic;
            public interface IClock { }
            public static class Pipeline
            {
                [Task]
                public static IEnumerable<SubTask> Convert(TaskContext ctx, IClock clock) => [];
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0043", source, "IClock clock", 0,
            "Task 'convert' yields its sub-tasks when the graph is loaded, before the run's services exist, but it takes the service parameter 'clock'. Make it a static method without service parameters, or add [CreateAfter(...)] so that it is called during the run, with the services.");
    }

    [Test]
    public void GroupLoadedWithTheGraph_ThatIsAnInstanceMethod_IsORCH0043_OnTheTaskAttribute()
    {
        string source = Usings + """
            using System.Collections.Generic;
            public sealed class Pipeline
            {
                [Task]
                public IEnumerable<SubTask> Convert() => [];
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0043", source, "[Task]", 1,
            "Task 'convert' yields its sub-tasks when the graph is loaded, before the run's services exist, but it is an instance method of 'Pipeline', which is created by dependency injection. Make it a static method without service parameters, or add [CreateAfter(...)] so that it is called during the run, with the services.");
    }

    [Test]
    public void GroupCreatedAfterATask_MayTakeServices_AndBeAnInstanceMethod()
    {
        string source = Usings + """
            using System.Collections.Generic;
            public interface IClock { }
            public sealed class Pipeline
            {
                [Task] public static void Generate() { }

                [Task, CreateAfter(nameof(Generate))]
                public IEnumerable<SubTask> Convert(IClock clock) => [];
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedSource, Does.Contain("YieldsSubTasks = true,"));
    }

    [Test]
    public void CalcDepNamingNoTask_IsORCH0002_WithASuggestion()
    {
        string source = Usings + """
            public static class Pipeline
            {
                [Task] public static CalculatedDeps FindOutputs() => new();

                [Task, CalcDep("FindOutput")]
                public static void Summary() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0002", source, "\"FindOutput\"", 0,
            "Task 'summary' has its deps computed by 'FindOutput', which is not a task. Did you mean 'find-outputs'?");
        Assert.That(result.GeneratedSource, Does.Not.Contain("CalcDeps ="), "the unknown reference is left out");
    }

    [Test]
    public void AmbiguousCalcDep_IsORCH0007()
    {
        string source = Usings + """
            public static class A { [Task("a-find")] public static CalculatedDeps Find() => new(); }
            public static class B { [Task("b-find")] public static CalculatedDeps Find() => new(); }
            public static class C
            {
                [Task, CalcDep("Find")]
                public static void Summary() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0007", source, "\"Find\"", 0,
            "Task 'summary' has its deps computed by 'Find', which matches several tasks: 'A.Find' (task 'a-find'), 'B.Find' (task 'b-find'). Name one of them as Type.Method or by its task name.");
    }

    [TestCase("public static void Find() { }", "void")]
    [TestCase("public static string[] Find() => [];", "string[]")]
    [TestCase("public static Task<string> Find() => Task.FromResult(\"\");", "Task<string>")]
    public void CalcDepNamingATaskThatDoesNotReturnCalculatedDeps_IsORCH0041_OnTheArgument(string method, string returnType)
    {
        string source = Usings + """
            public static class Pipeline
            {
                [Task] METHOD

                [Task, CalcDep(nameof(Find))]
                public static void Summary() { }
            }
            """.Replace("METHOD", method, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0041", source, "nameof(Find)", 0,
            $"Task 'summary' has its deps computed by 'find', but method 'Pipeline.Find' returns '{returnType}', not CalculatedDeps. Make 'Pipeline.Find' return CalculatedDeps (or Task<CalculatedDeps>, ValueTask<CalculatedDeps>), or name another task in [CalcDep].");
    }

    [Test]
    public void CalcDepEdges_TakePartInCycleDetection()
    {
        string source = Usings + """
            public static class Pipeline
            {
                [Task, DependsOn(nameof(Summary))]
                public static CalculatedDeps Find() => new();

                [Task, CalcDep(nameof(Find))]
                public static void Summary() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0001", "ORCH0001" }));
        Assert.That(result.Diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)), Is.EquivalentTo(new[]
        {
            "Task 'find' is part of a dependency cycle: find -> summary -> find (computes its deps). Remove one of these dependencies.",
            "Task 'summary' is part of a dependency cycle: summary -> find (computes its deps) -> summary. Remove one of these dependencies.",
        }));
        Assert.That(result.Diagnostics.Single(d => d.GetMessage(CultureInfo.InvariantCulture).StartsWith("Task 'summary'", StringComparison.Ordinal)).Line(),
            Is.EqualTo(LineOf(source, "CalcDep(nameof(Find))")));
    }

    [Test]
    public void CalcDepOnItself_IsACycle()
    {
        string source = Usings + """
            public static class Pipeline
            {
                [Task, CalcDep(nameof(Find))]
                public static CalculatedDeps Find() => new();
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)), Is.EqualTo(new[]
        {
            "Task 'find' is part of a dependency cycle: find -> find (computes its deps). Remove one of these dependencies.",
        }));
    }

    private const string IncrementalSource = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Orchestrate;

        public static class Pipeline
        {
            [Task]
            public static void Generate()
            {
                var step = 1;
            }

            [Task, CreateAfter(nameof(Generate), TargetRegex = @"data/.*\.out")]
            public static IEnumerable<SubTask> Convert()
            {
                var step = 2;
                yield break;
            }

            [Task]
            public static Task<CalculatedDeps> Find()
            {
                var step = 3;
                return Task.FromResult(new CalculatedDeps());
            }

            [Task, CalcDep(nameof(Find)), CalcDep("Nothing"), CalcDep(nameof(Generate))]
            public static void Summary()
            {
                var step = 4;
            }
        }
        """;

    [Test]
    public void EditingBodies_WithDynamicTasksPresent_KeepsEveryStepCached()
    {
        string edited = IncrementalSource
            .Replace("var step = 1;", "var step = 10;", StringComparison.Ordinal)
            .Replace("var step = 2;", "var step = 20;", StringComparison.Ordinal)
            .Replace("var step = 3;", "var step = 30;", StringComparison.Ordinal)
            .Replace("var step = 4;", "var step = 40;", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(IncrementalSource));

        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        AssertEveryStepCachedAndFreeOfSymbols(second);
        Assert.That(Reasons(second, TrackingNames.TaskModels), Has.Some.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(second.Diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "ORCH0002", "ORCH0041" }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("CalcDeps = new string[] { \"find\", \"generate\" },"));
    }

    [Test]
    public void AddingLinesInABody_MovesCalcDepDiagnostics_AsARunFromScratchReportsThem()
    {
        SyntaxTree tree = Parse(IncrementalSource);
        Compilation compilation = CreateCompilation(tree);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);
        Diagnostic[] before = driver.GetRunResult().Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.That(before, Has.Length.EqualTo(2));

        string text = tree.GetText().ToString();
        int at = text.IndexOf("var step = 1;", StringComparison.Ordinal);
        SyntaxTree edited = tree.WithChangedText(tree.GetText().WithChanges(
            new Microsoft.CodeAnalysis.Text.TextChange(new Microsoft.CodeAnalysis.Text.TextSpan(at, 0), "// one\n        // two\n        ")));
        Compilation next = compilation.ReplaceSyntaxTree(tree, edited);
        GeneratorRunResult incremental = driver.RunGenerators(next).GetRunResult().Results.Single();
        GeneratorRunResult scratch = CreateDriver().RunGenerators(next).GetRunResult().Results.Single();

        Diagnostic[] after = incremental.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.That(after.Select(d => d.Id), Is.EqualTo(before.Select(d => d.Id)));
        Assert.That(after.Select(d => d.Line()), Is.EqualTo(before.Select(d => d.Line() + 2)), "every diagnostic is below the edit");
        Assert.That(after.Select(d => edited.GetText().ToString(d.Location.SourceSpan)), Is.EqualTo(new[] { "\"Nothing\"", "nameof(Generate)" }));
        Assert.That(after.Select(d => d.ToString()), Is.EquivalentTo(scratch.Diagnostics.Select(d => d.ToString())));
        Assert.That(Reasons(incremental, TrackingNames.TaskSpecs), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [TestCase("TargetRegex = @\"data/.*\\.out\"", "TargetRegex = @\"out/.*\"", "CreateAfterTargetRegex = \"out/.*\",")]
    [TestCase("CalcDep(\"Nothing\"), ", "", "CalcDeps = new string[] { \"find\", \"generate\" },")]
    [TestCase("public static IEnumerable<SubTask> Convert()", "public static IReadOnlyList<SubTask> Convert()", "YieldsSubTasks = true,")]
    public void ChangingADynamicAttribute_ModifiesTheCatalogOrDiagnostics(string find, string replace, string expected)
    {
        string edited = IncrementalSource.Replace(find, replace, StringComparison.Ordinal);
        if (replace.Contains("IReadOnlyList", StringComparison.Ordinal))
        {
            edited = edited.Replace("yield break;", "return [];", StringComparison.Ordinal);
        }

        Assert.That(edited, Is.Not.EqualTo(IncrementalSource));
        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        Assert.That(Reasons(second, TrackingNames.TaskModels), Has.Some.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain(expected));
    }
}
