using Microsoft.CodeAnalysis;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

[TestFixture]
public sealed class TaskGraphDiagnosticTests
{
    private static GenerationResult RunSource(string source) => Run(source, withUsings: false);

    [Test]
    public void ValidGraph_ReportsNothing()
    {
        string source = Usings + """
            public static class Build
            {
                [Task, FileDep("src/hello.c"), Targets("obj/hello.o")]
                public static Task Compile(TaskContext ctx) => Task.CompletedTask;

                [Task, DependsOn(nameof(Compile)), FileDep("obj/hello.o"), Targets("bin/hello")]
                public static Task Link(TaskContext ctx, CancellationToken ct) => Task.CompletedTask;
            }
            """;
        GenerationResult result = RunSource(source);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void Cycle_ReportedOnEveryTaskWithPathFromThatTask()
    {
        string source = Usings + """
            public static class Build
            {
                [Task, DependsOn("b")]
                public static void A() { }

                [Task, DependsOn("c")]
                public static void B() { }

                [Task, DependsOn("a")]
                public static void C() { }
            }
            """;
        GenerationResult result = RunSource(source);
        IReadOnlyList<Diagnostic> cycles = result.WithId("ORCH0001");
        Assert.That(cycles, Has.Count.EqualTo(3));
        Assert.That(result.Diagnostics, Has.Length.EqualTo(3));

        Diagnostic a = cycles.Single(d => d.GetMessage().StartsWith("Task 'a'", StringComparison.Ordinal));
        Diagnostic b = cycles.Single(d => d.GetMessage().StartsWith("Task 'b'", StringComparison.Ordinal));
        Diagnostic c = cycles.Single(d => d.GetMessage().StartsWith("Task 'c'", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(a.GetMessage(), Is.EqualTo("Task 'a' is part of a dependency cycle: a -> b -> c -> a. Remove one of these dependencies."));
            Assert.That(b.GetMessage(), Does.Contain("b -> c -> a -> b"));
            Assert.That(c.GetMessage(), Does.Contain("c -> a -> b -> c"));
            Assert.That(a.Line(), Is.EqualTo(LineOf(source, "DependsOn(\"b\")")));
            Assert.That(b.Line(), Is.EqualTo(LineOf(source, "DependsOn(\"c\")")));
            Assert.That(c.Line(), Is.EqualTo(LineOf(source, "DependsOn(\"a\")")));
            Assert.That(a.Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(a.Descriptor.Category, Is.EqualTo("Orchestrate"));
            Assert.That(a.Descriptor.HelpLinkUri, Is.Empty);
            Assert.That(a.Location.GetLineSpan().Path, Is.EqualTo("Tasks.cs"));
        });
    }

    [Test]
    public void SelfDependency_IsACycle()
    {
        string source = Usings + """
            public static class Build
            {
                [Task]
                [DependsOn(nameof(Loop))]
                public static void Loop() { }
            }
            """;
        Diagnostic cycle = RunSource(source).Diagnostics.Single();
        Assert.That(cycle.Id, Is.EqualTo("ORCH0001"));
        Assert.That(cycle.GetMessage(), Does.Contain("dependency cycle: loop -> loop."));
        Assert.That(cycle.Line(), Is.EqualTo(LineOf(source, "[DependsOn(nameof(Loop))]")));
    }

    [Test]
    public void ImplicitFileDepCycle_IsReportedAtTheFileDep()
    {
        string source = Usings + """
            public static class Gen
            {
                [Task, Targets("out/x.o")]
                [FileDep("./out/y.o")]
                public static void MakeX() { }

                [Task, Targets(@"out\y.o")]
                [FileDep("out/x.o")]
                public static void MakeY() { }
            }
            """;
        GenerationResult result = RunSource(source);
        IReadOnlyList<Diagnostic> cycles = result.WithId("ORCH0001");
        Assert.That(cycles, Has.Count.EqualTo(2));
        Assert.That(result.Diagnostics, Has.Length.EqualTo(2));
        Diagnostic x = cycles.Single(d => d.GetMessage().StartsWith("Task 'make-x'", StringComparison.Ordinal));
        Diagnostic y = cycles.Single(d => d.GetMessage().StartsWith("Task 'make-y'", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(x.GetMessage(), Is.EqualTo(
                "Task 'make-x' is part of a dependency cycle: make-x -> make-y (file dep './out/y.o' is a target of 'make-y') -> make-x (file dep 'out/x.o' is a target of 'make-x'). Remove one of these dependencies."));
            Assert.That(x.Line(), Is.EqualTo(LineOf(source, "[FileDep(\"./out/y.o\")]")));
            Assert.That(y.Line(), Is.EqualTo(LineOf(source, "[FileDep(\"out/x.o\")]")));
        });
    }

    [Test]
    public void MixedExplicitAndImplicitAndCreateAfterEdges_FormACycle()
    {
        string source = Usings + """
            public static class Mixed
            {
                [Task, Targets("gen/a.txt")]
                [CreateAfter("third")]
                public static void First() { }

                [Task, FileDep("gen/a.txt")]
                public static void Second() { }

                [Task]
                [DependsOn(nameof(Second))]
                public static void Third() { }
            }
            """;
        IReadOnlyList<Diagnostic> cycles = RunSource(source).WithId("ORCH0001");
        Assert.That(cycles, Has.Count.EqualTo(3));
        Diagnostic first = cycles.Single(d => d.GetMessage().StartsWith("Task 'first'", StringComparison.Ordinal));
        Assert.That(first.GetMessage(), Does.Contain("first -> third -> second -> first (file dep 'gen/a.txt' is a target of 'first')"));
        Assert.That(first.Line(), Is.EqualTo(LineOf(source, "[CreateAfter(\"third\")]")));
        Diagnostic second = cycles.Single(d => d.GetMessage().StartsWith("Task 'second'", StringComparison.Ordinal));
        Assert.That(second.Line(), Is.EqualTo(LineOf(source, "[Task, FileDep(\"gen/a.txt\")]")));
    }

    [Test]
    public void TaskLeadingIntoACycle_IsNotReported()
    {
        string source = Usings + """
            public static class Build
            {
                [Task, DependsOn(nameof(Y), nameof(Z))]
                public static void X() { }

                [Task, DependsOn(nameof(Z))]
                public static void Y() { }

                [Task, DependsOn(nameof(Y))]
                public static void Z() { }
            }
            """;
        IReadOnlyList<Diagnostic> diagnostics = RunSource(source).Diagnostics;
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0001", "ORCH0001" }));
        Assert.That(diagnostics.Select(d => d.GetMessage()), Is.EquivalentTo(new[]
        {
            "Task 'y' is part of a dependency cycle: y -> z -> y. Remove one of these dependencies.",
            "Task 'z' is part of a dependency cycle: z -> y -> z. Remove one of these dependencies.",
        }));
    }

    [Test]
    public void TwoCyclesThroughOneTask_EachTaskReportedOnce()
    {
        string source = Usings + """
            public static class Build
            {
                [Task, DependsOn("b", "c")] public static void A() { }
                [Task, DependsOn("a")] public static void B() { }
                [Task, DependsOn("a")] public static void C() { }
            }
            """;
        IReadOnlyList<Diagnostic> cycles = RunSource(source).WithId("ORCH0001");
        Assert.That(cycles.Select(d => d.GetMessage().Split('\'')[1]), Is.EquivalentTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public void UnresolvedReference_IsNotPartOfACycle()
    {
        string source = Usings + """
            public static class Build
            {
                [Task, DependsOn("missing")] public static void A() { }
            }
            """;
        Assert.That(RunSource(source).Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0002" }));
    }

    [Test]
    public void UnknownReference_SuggestsTheClosestTask()
    {
        string source = Usings + """
            public static class Build
            {
                [Task] public static void Compile() { }

                [Task, DependsOn("Compil")]
                public static void Link() { }
            }
            """;
        Diagnostic diagnostic = RunSource(source).Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0002"));
        Assert.That(diagnostic.GetMessage(), Is.EqualTo("Task 'link' depends on 'Compil', which is not a task. Did you mean 'compile'?"));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "DependsOn(\"Compil\")")));
        int column = diagnostic.Location.GetLineSpan().StartLinePosition.Character;
        Assert.That(column, Is.EqualTo(source.Split('\n')[diagnostic.Line() - 1].IndexOf("\"Compil\"", StringComparison.Ordinal)), "located at the argument");
    }

    [Test]
    public void UnknownReference_WithoutCloseMatch_SaysHowToFix()
    {
        string source = Usings + """
            public static class Build
            {
                [Task] public static void Compile() { }

                [Task]
                [CreateAfter("packaging")]
                public static void Deploy() { }
            }
            """;
        Diagnostic diagnostic = RunSource(source).Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0002"));
        Assert.That(diagnostic.GetMessage(), Is.EqualTo("Task 'deploy' is created after 'packaging', which is not a task. Declare it with [Task] or fix the name."));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "[CreateAfter(\"packaging\")]")));
    }

    [Test]
    public void MethodNameMatching_IsCaseSensitive()
    {
        string source = Usings + """
            public static class Build
            {
                [Task("build-all")] public static void BuildAll() { }

                [Task, DependsOn("buildAll")]
                public static void Ship() { }
            }
            """;
        Diagnostic diagnostic = RunSource(source).Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0002"));
        Assert.That(diagnostic.GetMessage(), Does.EndWith("Did you mean 'build-all'?"));
    }

    [Test]
    public void DuplicateTaskName_ReportedOnBothTaskAttributes()
    {
        string source = Usings + """
            public static class Build
            {
                [Task("build")]
                public static void Compile() { }
            }

            public static class Docs
            {
                [Task(Name = "build")]
                public static void Generate() { }
            }
            """;
        IReadOnlyList<Diagnostic> diagnostics = RunSource(source).Diagnostics;
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0003", "ORCH0003" }));
        Assert.Multiple(() =>
        {
            Assert.That(diagnostics[0].GetMessage(), Is.EqualTo(
                "Task name 'build' of method 'Build.Compile' is also the name of method 'Docs.Generate'. Task names must be unique: give one of them another name with [Task(\"...\")]."));
            Assert.That(diagnostics[0].Line(), Is.EqualTo(LineOf(source, "[Task(\"build\")]")));
            Assert.That(diagnostics[1].GetMessage(), Does.Contain("of method 'Docs.Generate' is also the name of method 'Build.Compile'"));
            Assert.That(diagnostics[1].Line(), Is.EqualTo(LineOf(source, "[Task(Name = \"build\")]")));
        });
    }

    [Test]
    public void DuplicateTarget_AfterNormalization_ReportedOnBothTargetsAttributes()
    {
        string source = Usings + """
            public static class Build
            {
                [Task]
                [Targets("./obj//hello.o")]
                public static void Compile() { }

                [Task]
                [Targets("bin/other", @"obj\hello.o")]
                public static void Assemble() { }
            }
            """;
        IReadOnlyList<Diagnostic> diagnostics = RunSource(source).Diagnostics;
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0004", "ORCH0004" }));
        Assert.Multiple(() =>
        {
            Assert.That(diagnostics[0].GetMessage(), Is.EqualTo(
                "Target './obj//hello.o' of task 'compile' is also a target of task 'assemble'. A file can be created by only one task: remove it from the [Targets] of all but one of them."));
            Assert.That(diagnostics[0].Line(), Is.EqualTo(LineOf(source, "[Targets(\"./obj//hello.o\")]")));
            Assert.That(diagnostics[1].GetMessage(), Does.StartWith("Target 'obj\\hello.o' of task 'assemble' is also a target of task 'compile'."));
            Assert.That(diagnostics[1].Line(), Is.EqualTo(LineOf(source, "[Targets(\"bin/other\"")));
        });
    }

    [Test]
    public void UnsupportedParameter_ReportedAtTheParameter()
    {
        string source = Usings + """
            public static class Pipeline
            {
                [Task]
                public static void Build(TaskContext ctx,
                    int count) { }
            }
            """;
        GenerationResult result = RunSource(source);
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0005"));
        Assert.That(diagnostic.GetMessage(), Is.EqualTo(
            "Parameter 'count' of task 'build' has type 'int', which the runtime cannot supply. Task parameters may be TaskContext, CancellationToken, or a class or interface registered in dependency injection."));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "int count")));
        Assert.That(result.OutputErrors, Is.Empty, "an invalid task must not add compile errors");
    }

    [TestCase("string name", "has type 'string'")]
    [TestCase("bool flag", "has type 'bool'")]
    [TestCase("DateTime when", "has type 'System.DateTime'")]
    [TestCase("int[] values", "has type 'int[]'")]
    [TestCase("string[] values", "has type 'string[]'")]
    [TestCase("ref TaskContext value", "is passed by 'ref'")]
    [TestCase("out TaskContext value", "is passed by 'out'")]
    [TestCase("in CancellationToken value", "is passed by 'in'")]
    [TestCase("dynamic value", "has type 'dynamic'")]
    [TestCase("int? value", "has type 'int?'")]
    public void UnsupportedParameterTypes(string parameter, string expected)
    {
        string source = Usings + $$"""
            public static class Build
            {
                [Task]
                public static void Run(TaskContext ctx, {{parameter}})
                {
                    {{(parameter.StartsWith("out", StringComparison.Ordinal) ? "value = null!;" : "")}}
                }
            }
            """;
        GenerationResult result = RunSource(source);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0005" }));
        Assert.That(result.Diagnostics[0].GetMessage(), Does.StartWith($"Parameter '{parameter.Split(' ').Last()}' of task 'run' {expected}, which the runtime cannot supply."));
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void UnsupportedParameter_Pointer()
    {
        string source = Usings + """
            public static unsafe class Build
            {
                [Task]
                public static void Run(int* pointer) { }
            }
            """;
        GenerationResult result = RunSource(source);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0005" }));
        Assert.That(result.Diagnostics[0].GetMessage(), Does.Contain("has type 'int*'"));
    }

    [Test]
    public void SupportedParameters_ReportNothing()
    {
        string source = Usings + """
            public interface IService { }
            public class Service : IService { }
            public abstract class RemoteContext : TaskContext { }
            public static class Build
            {
                [Task]
                public static void Run(TaskContext ctx, CancellationToken ct, IService service, Service concrete, RemoteContext remote, Func<int> factory, object any, IService? maybe) { }
            }
            """;
        GenerationResult result = RunSource(source);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedSource, Does.Contain(
            "global::Build.Run(invocation.Context, invocation.CancellationToken, invocation.GetService<global::IService>(), invocation.GetService<global::Service>(), (global::RemoteContext)invocation.Context, invocation.GetService<global::System.Func<int>>(), invocation.GetService<object>(), invocation.GetService<global::IService>())"));
    }

    [TestCase("public static void Run<T>() { }", "it is generic. Remove its type parameters.")]
    [TestCase("private static void Run() { }", "it is private. Make it public or internal.")]
    [TestCase("public static ref int Run() => ref Field;", "it returns by reference.")]
    [TestCase("public static Span<int> Run() => default;", "its return type 'System.Span<int>' cannot be converted to object.")]
    public void UnsupportedMethodShape_InStaticClass(string method, string reason)
    {
        string source = Usings + $$"""
            public static class Build
            {
                private static int Field;

                [Task]
                {{method}}
            }
            """;
        GenerationResult result = RunSource(source);
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0006"));
        Assert.That(diagnostic.GetMessage(), Does.StartWith("Method 'Build.Run' cannot be a task: " + reason));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "[Task]")));
        Assert.That(result.OutputErrors.Where(e => e.Id != "CS0169"), Is.Empty);
    }

    [TestCase("public abstract class Holder { [Task] public void Run() { } }", "Holder.Run", "it is an instance method of abstract class 'Holder', which cannot be created.")]
    [TestCase("public struct Holder { [Task] public void Run() { } }", "Holder.Run", "it is an instance method of struct 'Holder'.")]
    [TestCase("public class Holder<T> { [Task] public static void Run() { } }", "Holder<T>.Run", "its containing type 'Holder<T>' is generic.")]
    [TestCase("public class Holder<T> { [Task] public void Run() { } }", "Holder<T>.Run", "its containing type 'Holder<T>' is generic.")]
    [TestCase("public class Outer { private class Holder { [Task] public static void Run() { } } }", "Outer.Holder.Run", "its containing type 'Outer.Holder' is private.")]
    [TestCase("public class Outer { protected class Holder { [Task] public static void Run() { } } }", "Outer.Holder.Run", "its containing type 'Outer.Holder' is protected.")]
    [TestCase("public class Holder { [Task] protected static void Run() { } }", "Holder.Run", "it is protected.")]
    [TestCase("file class Holder { [Task] public static void Run() { } }", "Holder.Run", "its containing type 'Holder' is file-local.")]
    [TestCase("public interface IHolder { [Task] void Run(); }", "IHolder.Run", "it is abstract.")]
    public void UnsupportedMethodShape(string declaration, string method, string reason)
    {
        GenerationResult result = RunSource(Usings + declaration);
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0006"));
        Assert.That(diagnostic.GetMessage(), Does.StartWith($"Method '{method}' cannot be a task: {reason}"));
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void SupportedMethodShapes_ReportNothing()
    {
        string source = Usings + """
            public class Outer
            {
                internal class Inner
                {
                    [Task] public int Count() => 1;
                    [Task] protected internal static ValueTask<string> Text() => new("x");
                }
            }
            public sealed record Holder
            {
                [Task] public void Run() { }
                [Task] public static dynamic Dyn() => 1;
                [Task] public static object? Obj() => null;
                [Task] public static async void Fire() { await Task.Yield(); }
            }
            """;
        GenerationResult result = RunSource(source);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void AmbiguousMethodName_ListsTheCandidates()
    {
        string source = Usings + """
            public static class Frontend
            {
                [Task("frontend-test")] public static void Test() { }
            }
            public static class Backend
            {
                [Task("backend-test")] public static void Test() { }
            }
            public static class Ci
            {
                [Task]
                [DependsOn("Test")]
                public static void All() { }
            }
            """;
        Diagnostic diagnostic = RunSource(source).Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0007"));
        Assert.That(diagnostic.GetMessage(), Is.EqualTo(
            "Task 'all' depends on 'Test', which matches several tasks: 'Frontend.Test' (task 'frontend-test'), 'Backend.Test' (task 'backend-test'). Name one of them as Type.Method or by its task name."));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "[DependsOn(\"Test\")]")));
        Assert.That(diagnostic.AdditionalLocations, Has.Count.EqualTo(2));
    }

    [Test]
    public void MethodNameInSameClass_WinsOverOtherClasses()
    {
        string source = Usings + """
            public static class Frontend
            {
                [Task("frontend-test")] public static void Test() { }
                [Task("frontend-ci"), DependsOn(nameof(Test))] public static void Ci() { }
            }
            public static class Backend
            {
                [Task("backend-test")] public static void Test() { }
                [Task("backend-ci"), DependsOn("Frontend.Test", nameof(Test))] public static void Ci() { }
            }
            """;
        GenerationResult result = RunSource(source);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.GeneratedSource, Does.Contain("""
                            Name = "frontend-ci",
                            Method = "Frontend.Ci",
                            Doc = null,
                            DependsOn = new string[] { "frontend-test" },
            """));
        Assert.That(result.GeneratedSource, Does.Contain("""DependsOn = new string[] { "frontend-test", "backend-test" },"""));
    }

    [TestCase("")]
    [TestCase("build all")]
    [TestCase("host:build")]
    [TestCase("a,b")]
    [TestCase("docs/api")]
    public void InvalidTaskName(string name)
    {
        string source = Usings + $$"""
            public static class Build
            {
                [Task("{{name}}")]
                public static void Run() { }
            }
            """;
        GenerationResult result = RunSource(source);
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0008"));
        Assert.That(diagnostic.GetMessage(), Does.StartWith($"Task name '{name}' of method 'Build.Run' is invalid: "));
        Assert.That(diagnostic.GetMessage(), Does.EndWith("Use a non-empty name without whitespace, ':', ',' or '/', which are reserved for host and sub-task names."));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "[Task(")));
    }

    [Test]
    public void DiagnosticsAreReportedInTheRightFile()
    {
        string first = Usings + """
            public static class A
            {
                [Task] public static void One() { }
            }
            """;
        string second = Usings + """
            public static class B
            {


                [Task, DependsOn("Onee")] public static void Two() { }
            }
            """;
        GenerationResult result = Run(Parse(first, "A.cs"), Parse(second, "B.cs"));
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("B.cs"));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(second, "Onee")));
        Assert.That(diagnostic.GetMessage(), Does.EndWith("Did you mean 'one'?"));
    }
}
