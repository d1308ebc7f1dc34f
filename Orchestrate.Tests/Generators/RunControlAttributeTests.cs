using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Orchestrate.Generators;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

/// <summary>[Critical], [Forever], [Timeout], [Resource] and [Sequence]: the catalog, the sequence edges and ORCH0016-ORCH0021.</summary>
[TestFixture]
public sealed class RunControlAttributeTests
{
    private const string HelpLink = DiagnosticsHelpLink;

    private const string Sample = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Orchestrate;

        namespace Sample.Ops
        {
            public static class Ops
            {
                [Task, Critical]
                public static void Migrate() { }

                [Task, Critical(false)]
                public static void Lint() { }

                [Task, Forever, Critical, Timeout(600)]
                public static Task Tail(CancellationToken ct) => Task.Delay(-1, ct);

                [Task, Timeout(1.5)]
                public static void Slow() { }

                [Task, Timeout(0.1)]
                public static void Quick() { }

                [Task, Resource("db"), Resource("licence", limit: 3)]
                public static void Query() { }

                [Task, DependsOn(nameof(Fetch)), Sequence(nameof(Migrate), "lint", "Ops.Slow")]
                public static void Release() { }

                [Task]
                public static void Fetch() { }

                [Task, Sequence(nameof(Release), nameof(Query))]
                public static void All() { }

                [Task, FileDep("a.txt"), Targets("b.txt")]
                public static void Plain() { }
            }
        }
        """;

    [Test]
    public void RunControlAttributes_AreEmitted_AndCompileWithoutWarnings()
    {
        GenerationResult result = Run(Parse(Sample));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "sample itself compiles");
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);

        string source = result.GeneratedSource!;
        Assert.That(source, Does.Contain("""
                            Name = "release",
                            Method = "Ops.Release",
                            Doc = null,
                            DependsOn = new string[] { "fetch" },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = null,
                            Sequence = new string[] { "migrate", "lint", "slow" },
                            IsDefault = false,
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain("""
                            Name = "tail",
                            Method = "Ops.Tail",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = null,
                            Critical = true,
                            IsForever = true,
                            Timeout = global::System.TimeSpan.FromSeconds(600.0),
                            IsDefault = false,
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain("Critical = false,"));
        Assert.That(source, Does.Contain("Timeout = global::System.TimeSpan.FromSeconds(1.5),"));
        Assert.That(source, Does.Contain("Timeout = global::System.TimeSpan.FromSeconds(0.1),"));
        Assert.That(source, Does.Contain(
            "Resources = new global::Orchestrate.ResourceSpec[] { new global::Orchestrate.ResourceSpec(\"db\", 1), new global::Orchestrate.ResourceSpec(\"licence\", 3) },"));
        Assert.That(source, Does.Contain("Sequence = new string[] { \"release\", \"query\" },"));
        Assert.That(source, Does.Contain("""
                            Name = "plain",
                            Method = "Ops.Plain",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { "a.txt" },
                            Targets = new string[] { "b.txt" },
                            CreateAfter = null,
                            IsDefault = false,
            """.Replace("\r\n", "\n")), "a task without the attributes leaves every run-control member out");
    }

    [Test]
    public void EmittedCatalog_Executes_AndItsDescriptorsCarryTheValues()
    {
        GenerationResult result = Run(Parse(Sample));
        WithEmittedCatalog(result, "run-control-attribute-test", (_, catalog) =>
        {
            var descriptors = catalog.ToDictionary(d => d.Name);

            Assert.Multiple(() =>
            {
                Assert.That(descriptors["migrate"].Critical, Is.True);
                Assert.That(descriptors["lint"].Critical, Is.False);
                Assert.That(descriptors["plain"].Critical, Is.Null, "no attribute: the run's default");

                Assert.That(descriptors["tail"].IsForever, Is.True);
                Assert.That(descriptors["tail"].Critical, Is.True);
                Assert.That(descriptors["tail"].Timeout, Is.EqualTo(TimeSpan.FromMinutes(10)));
                Assert.That(descriptors["plain"].IsForever, Is.False);

                Assert.That(descriptors["slow"].Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
                Assert.That(descriptors["quick"].Timeout, Is.EqualTo(TimeSpan.FromSeconds(0.1)));
                Assert.That(descriptors["plain"].Timeout, Is.Null);

                Assert.That(descriptors["query"].Resources, Is.EqualTo(new[] { new ResourceSpec("db", 1), new ResourceSpec("licence", 3) }));
                Assert.That(descriptors["plain"].Resources, Is.Empty);

                Assert.That(descriptors["release"].Sequence, Is.EqualTo(new[] { "migrate", "lint", "slow" }));
                Assert.That(descriptors["release"].DependsOn, Is.EqualTo(new[] { "fetch" }), "as declared; the runtime gives them to the first element");
                Assert.That(descriptors["all"].Sequence, Is.EqualTo(new[] { "release", "query" }));
                Assert.That(descriptors["plain"].Sequence, Is.Empty);
            });
        });
    }

    [TestCase("1e-3", "Timeout = global::System.TimeSpan.FromSeconds(0.001),", 0.001)]
    [TestCase("2.5e6", "Timeout = global::System.TimeSpan.FromSeconds(2500000.0),", 2.5e6)]
    [TestCase("7", "Timeout = global::System.TimeSpan.FromSeconds(7.0),", 7d)]
    [TestCase("0.30000000000000004", "Timeout = global::System.TimeSpan.FromSeconds(0.30000000000000004),", 0.30000000000000004)]
    public void Timeout_IsEmittedAsTheSameDouble(string written, string emitted, double seconds)
    {
        string source = Usings + "public static class Ops { [Task, Timeout(" + written + ")] public static void Slow() { } }";
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedSource, Does.Contain(emitted));
        Assert.That(double.Parse(emitted.Split('(', ')')[1], CultureInfo.InvariantCulture), Is.EqualTo(seconds), "reads back as the same value");
    }

    [TestCase("0", "0", "but a timeout must be above zero")]
    [TestCase("-1.5", "-1.5", "but a timeout must be above zero")]
    [TestCase("double.NaN", "NaN", "which is not a number")]
    [TestCase("double.PositiveInfinity", "Infinity", "which is not a finite time")]
    [TestCase("1e-9", "1E-09", "which is shorter than the 100 ns a TimeSpan counts in")]
    [TestCase("1e12", "1000000000000", "which is more than a TimeSpan holds")]
    public void InvalidTimeout_IsORCH0016_OnTheArgument(string written, string shown, string problem)
    {
        string attribute = "[Timeout(" + written + ")]";
        string source = Usings + """
            public static class Ops
            {
                [Task]
                ATTRIBUTE
                public static void Slow() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0016", source, attribute, "[Timeout(".Length,
            $"Task 'slow' has a timeout of {shown} seconds, {problem}. Set [Timeout] to a positive number of seconds (at most 10675199 days), or remove it for no limit.");
        Assert.That(result.GeneratedSource, Does.Not.Contain("Timeout ="), "the invalid value is left out of the catalog");
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [TestCase("[Resource(\"\")]", "\"\"", "its name is empty", "Name the resource, such as [Resource(\"db\")].")]
    [TestCase("[Resource(\" \\t\", 2)]", "\" \\t\"", "its name is only whitespace", "Name the resource, such as [Resource(\"db\")].")]
    [TestCase("[Resource(null!)]", "null!", "its name is null", "Name the resource, such as [Resource(\"db\")].")]
    [TestCase("[Resource(\"db\", 0)]", "0", "the limit of resource 'db' is 0, so no task naming it could ever start", "Set the limit to 1 or more: how many tasks naming it may run at once.")]
    [TestCase("[Resource(\"db\", limit: -2)]", "-2", "the limit of resource 'db' is -2, so no task naming it could ever start", "Set the limit to 1 or more: how many tasks naming it may run at once.")]
    public void InvalidResource_IsORCH0017_OnTheArgument(string attribute, string argument, string problem, string fix)
    {
        string source = Usings + """
            public static class Ops
            {
                [Task]
                ATTRIBUTE
                public static void Query() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0017", source, attribute, attribute.LastIndexOf(argument, StringComparison.Ordinal),
            $"Task 'query' has an invalid [Resource]: {problem}. {fix}");
        Assert.That(result.GeneratedSource, Does.Not.Contain("Resources ="), "the invalid resource is left out of the catalog");
    }

    [Test]
    public void ResourceNamedTwiceOnATask_IsORCH0017_OnTheSecond()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task, Resource("db"), Resource("net", 2)]
                [Resource("db", 4)]
                public static void Query() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0017", source, "Resource(\"db\", 4)", 0,
            "Task 'query' has an invalid [Resource]: it names resource 'db' a second time, and a task holds a resource once. Remove one of the two.");
        Assert.That(result.GeneratedSource, Does.Contain(
            "Resources = new global::Orchestrate.ResourceSpec[] { new global::Orchestrate.ResourceSpec(\"db\", 1), new global::Orchestrate.ResourceSpec(\"net\", 2) },"));
    }

    [TestCase("[Sequence]")]
    [TestCase("[Sequence()]")]
    [TestCase("[Sequence(new string[0])]")]
    public void EmptySequence_IsORCH0018_OnTheAttribute(string attribute)
    {
        string source = Usings + """
            public static class Ops
            {
                [Task]
                ATTRIBUTE
                public static void Release() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0018", source, attribute, 1,
            "Task 'release' has an empty [Sequence]: it names no task to run. List the tasks to run in order, such as [Sequence(nameof(Build), nameof(Test))], or remove [Sequence].");
        Assert.That(result.GeneratedSource, Does.Not.Contain("Sequence ="));
    }

    [Test]
    public void SameTaskTwiceInASequence_IsORCH0019_OnTheRepeat_AndNotACycle()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task] public static void Build() { }
                [Task] public static void Test() { }

                [Task, Sequence(nameof(Build), nameof(Test), "build")]
                public static void Release() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0019", source, "\"build\")]", 0,
            "Task 'release' lists task 'build' more than once in its [Sequence]. A task runs at most once in a run, so it cannot come back later in a sequence: remove the repeated 'build'.");
        Assert.That(result.GeneratedSource, Does.Contain("Sequence = new string[] { \"build\", \"test\" },"));
    }

    [TestCase("Targets(\"out/tail.log\")", "Targets", "")]
    [TestCase("RemoteTargets(\"/srv/tail.pid\")", "RemoteTargets", ", Hosts(\"web\")")]
    public void ForeverTaskWithTargets_IsORCH0020_OnForever(string targets, string name, string hosts)
    {
        string source = Usings + """
            public static class Ops
            {
                [Task, Forever, TARGETSHOSTS]
                public static void Tail() { }
            }
            """.Replace("TARGETS", targets, StringComparison.Ordinal).Replace("HOSTS", hosts, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0020", source, "Forever,", 0,
            $"Task 'tail' has [Forever] and [{name}], but a task that never finishes never finishes making its targets, so no task can rely on them. Remove [{name}], or remove [Forever] if the task ends by itself.");
    }

    [Test]
    public void ForeverTask_WithHostsBarrierTimeoutAndCriticality_IsFine()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task] public static void Deploy() { }

                [Task, Hosts("web"), Barrier, Forever, Critical(false), Timeout(3600), DependsOn(nameof(Deploy))]
                [RemoteStep("journalctl -f -u app")]
                public static void Watch() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty, "a forever task may itself wait for others, and run on every host after a barrier");
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [TestCase("ResultDep(\"tail\")", "\"tail\"", "depends on the result of",
        "Remove the dependency: a forever task runs alongside the others and is stopped once they are done.")]
    [TestCase("CreateAfter(\"Ops.Tail\")", "\"Ops.Tail\"", "is created after",
        "Remove the dependency: a forever task runs alongside the others and is stopped once they are done.")]
    [TestCase("Sequence(nameof(Build), nameof(Tail))", "nameof(Tail)", "lists in its [Sequence]",
        "Remove it from the [Sequence]: a forever task runs alongside the others and is stopped once they are done.")]
    [TestCase("Sequence(nameof(Tail), nameof(Build))", "nameof(Tail)", "lists in its [Sequence]",
        "Remove it from the [Sequence]: a forever task runs alongside the others and is stopped once they are done.")]
    public void WaitingForAForeverTask_IsORCH0021_OnTheReference(string attribute, string argument, string verb, string fix)
    {
        string source = Usings + """
            public static class Ops
            {
                [Task, Forever]
                public static Task Tail(CancellationToken ct) => Task.Delay(-1, ct);

                [Task] public static void Build() { }

                [Task, ATTRIBUTE]
                public static void Report() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0021", source, attribute, attribute.IndexOf(argument, StringComparison.Ordinal),
            $"Task 'report' {verb} 'tail', which is a [Forever] task: it never finishes, so this would wait for ever. {fix}");
    }

    [Test]
    public void DependingOnAForeverTask_IsAllowed_ItWaitsForItToStart()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task, Forever]
                public static Task Tail(CancellationToken ct) => Task.Delay(-1, ct);

                [Task, DependsOn(nameof(Tail))]
                public static void Experiment() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty, "start the monitor, then the experiment: the runtime waits for the forever task to start");
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void UnknownAndAmbiguousSequenceElements_AreORCH0002AndORCH0007_OnTheArgument()
    {
        string source = Usings + """
            public static class Build
            {
                [Task] public static void Test() { }
            }

            public static class Docs
            {
                [Task("docs-test")] public static void Test() { }
            }

            public static class Ops
            {
                [Task] public static void Pack() { }

                [Task, Sequence("Packk", "Test", nameof(Pack))]
                public static void Release() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0002", "ORCH0007" }));
        AssertDiagnostic(result.Diagnostics[0], "ORCH0002", source, "\"Packk\"", 0,
            "Task 'release' lists in its [Sequence] 'Packk', which is not a task. Did you mean 'pack'?");
        AssertDiagnostic(result.Diagnostics[1], "ORCH0007", source, "\"Test\", nameof", 0,
            "Task 'release' lists in its [Sequence] 'Test', which matches several tasks: 'Build.Test' (task 'test'), 'Docs.Test' (task 'docs-test'). Name one of them as Type.Method or by its task name.");
        Assert.That(result.GeneratedSource, Does.Contain("Sequence = new string[] { \"pack\" },"), "resolved elements only");
    }

    [Test]
    public void ElementDependingOnALaterElement_IsACycle_WithItsPath()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task, DependsOn(nameof(Test))]
                public static void Build() { }

                [Task] public static void Test() { }

                [Task, Sequence(nameof(Build), nameof(Test))]
                public static void Release() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0001", "ORCH0001" }));
        Diagnostic build = Single(result, "build");
        Diagnostic test = Single(result, "test");
        Assert.Multiple(() =>
        {
            Assert.That(build.GetMessage(CultureInfo.InvariantCulture), Is.EqualTo(
                "Task 'build' is part of a dependency cycle: build -> test -> build (before 'test' in sequence 'release'). Remove one of these dependencies."));
            Assert.That(build.Line(), Is.EqualTo(LineOf(source, "DependsOn(nameof(Test))")));
            Assert.That(test.GetMessage(CultureInfo.InvariantCulture), Is.EqualTo(
                "Task 'test' is part of a dependency cycle: test -> build (before 'test' in sequence 'release') -> test. Remove one of these dependencies."));
            Assert.That(test.Line(), Is.EqualTo(LineOf(source, "Sequence(nameof(Build), nameof(Test))")), "on the element that runs after");
            Assert.That(test.Location.GetLineSpan().StartLinePosition.Character,
                Is.EqualTo(LineText(source, "Sequence(nameof(Build), nameof(Test))").IndexOf("nameof(Test)", StringComparison.Ordinal)));
        });
    }

    [Test]
    public void TwoSequencesInOppositeOrders_AreACycle()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task] public static void A() { }
                [Task] public static void B() { }

                [Task, Sequence("a", "b")] public static void Forward() { }
                [Task, Sequence("b", "a")] public static void Backward() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)), Is.EquivalentTo(new[]
        {
            "Task 'a' is part of a dependency cycle: a -> b (before 'a' in sequence 'backward') -> a (before 'b' in sequence 'forward'). Remove one of these dependencies.",
            "Task 'b' is part of a dependency cycle: b -> a (before 'b' in sequence 'forward') -> b (before 'a' in sequence 'backward'). Remove one of these dependencies.",
        }));
    }

    [Test]
    public void SequenceListingItself_IsACycle()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task] public static void Build() { }

                [Task, Sequence(nameof(Build), nameof(Release))]
                public static void Release() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0001", source, "nameof(Release))]", 0,
            "Task 'release' is part of a dependency cycle: release -> release (in its own sequence). Remove one of these dependencies.");
    }

    [Test]
    public void SequenceNestedInItself_IsACycleOnEveryTaskInIt()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task] public static void Build() { }
                [Task] public static void Test() { }

                [Task, Sequence(nameof(Inner), nameof(Build))]
                public static void Outer() { }

                [Task, Sequence(nameof(Outer), nameof(Test))]
                public static void Inner() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)), Is.EquivalentTo(new[]
        {
            "Task 'build' is part of a dependency cycle: build -> inner (before 'build' in sequence 'outer') -> test (last in sequence 'inner') -> outer (before 'test' in sequence 'inner') -> build (last in sequence 'outer'). Remove one of these dependencies.",
            "Task 'test' is part of a dependency cycle: test -> outer (before 'test' in sequence 'inner') -> build (last in sequence 'outer') -> inner (before 'build' in sequence 'outer') -> test (last in sequence 'inner'). Remove one of these dependencies.",
            "Task 'outer' is part of a dependency cycle: outer -> build (last in sequence 'outer') -> inner (before 'build' in sequence 'outer') -> test (last in sequence 'inner') -> outer (before 'test' in sequence 'inner'). Remove one of these dependencies.",
            "Task 'inner' is part of a dependency cycle: inner -> test (last in sequence 'inner') -> outer (before 'test' in sequence 'inner') -> build (last in sequence 'outer') -> inner (before 'build' in sequence 'outer'). Remove one of these dependencies.",
        }));
    }

    [Test]
    public void SequenceDependencies_GoToTheFirstElementOfNestedSequences()
    {
        // release's [DependsOn(fetch)] applies to compile, the entry of its first element build; fetch depending on
        // link (after compile in build) is therefore a cycle, though release itself runs after link either way.
        string source = Usings + """
            public static class Ops
            {
                [Task] public static void Compile() { }
                [Task] public static void Link() { }

                [Task, DependsOn(nameof(Link))]
                public static void Fetch() { }

                [Task, Sequence(nameof(Compile), nameof(Link))]
                public static void Build() { }

                [Task, DependsOn(nameof(Fetch)), Sequence(nameof(Build))]
                public static void Release() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Diagnostic compile = Single(result, "compile");
        Assert.That(compile.GetMessage(CultureInfo.InvariantCulture), Is.EqualTo(
            "Task 'compile' is part of a dependency cycle: compile -> fetch (dependency of sequence 'release') -> link -> compile (before 'link' in sequence 'build'). Remove one of these dependencies."));
        Assert.That(compile.Line(), Is.EqualTo(LineOf(source, "DependsOn(nameof(Fetch))")));
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.All.EqualTo("ORCH0001"));
        Assert.That(result.Diagnostics, Has.Length.EqualTo(3), "compile, fetch and link; release and build are not in the cycle");
    }

    [Test]
    public void ValidNestedSequences_ReportNothing()
    {
        string source = Usings + """
            public static class Ops
            {
                [Task] public static void Fetch() { }
                [Task] public static void Compile() { }
                [Task] public static void Link() { }
                [Task, DependsOn(nameof(Build))] public static void Test() { }

                [Task, Sequence(nameof(Compile), nameof(Link))]
                public static void Build() { }

                [Task, DependsOn(nameof(Fetch)), Sequence(nameof(Build), nameof(Test))]
                public static void Release() { }

                [Task, DependsOn(nameof(Release))]
                public static void Announce() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void NewDiagnostics_AreErrorsWithTheSharedHelpLink_AndFollowTheLastId()
    {
        DiagnosticDescriptor[] descriptors =
        {
            DiagnosticDescriptors.InvalidTimeout, DiagnosticDescriptors.InvalidResource, DiagnosticDescriptors.EmptySequence,
            DiagnosticDescriptors.DuplicateSequenceElement, DiagnosticDescriptors.ForeverWithTargets, DiagnosticDescriptors.WaitsForForever,
        };
        Assert.That(descriptors.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0016", "ORCH0017", "ORCH0018", "ORCH0019", "ORCH0020", "ORCH0021" }));
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.That(descriptor.DefaultSeverity, Is.EqualTo(DiagnosticSeverity.Error), descriptor.Id);
            Assert.That(descriptor.IsEnabledByDefault, Is.True, descriptor.Id);
            Assert.That(descriptor.Category, Is.EqualTo("Orchestrate"), descriptor.Id);
            Assert.That(descriptor.HelpLinkUri, Is.EqualTo(HelpLink), descriptor.Id);
        }
    }

    private const string IncrementalSource = Usings + """
        public static class Ops
        {
            [Task, Critical, Timeout(2.5), Resource("db", 2)]
            public static void Migrate()
            {
                var step = 1;
            }

            [Task, Forever, Critical(false)]
            public static async Task Tail(CancellationToken ct)
            {
                await Task.Delay(-1, ct);
            }

            [Task, ResultDep(nameof(Tail)), Sequence(nameof(Migrate), "Nothing"), Timeout(0)]
            public static void Release()
            {
                var step = 2;
            }

            [Task, Sequence(nameof(A), nameof(B))] public static void Forward() { }
            [Task, Sequence(nameof(B), nameof(A))] public static void Backward() { }
            [Task] public static void A() { }
            [Task] public static void B() { }
        }
        """;

    [Test]
    public void EditingBodies_WithRunControlAttributesPresent_KeepsEveryStepCached()
    {
        string edited = IncrementalSource
            .Replace("var step = 1;", "var step = 10;", StringComparison.Ordinal)
            .Replace("Task.Delay(-1, ct)", "Task.Delay(Timeout.Infinite, ct)", StringComparison.Ordinal)
            .Replace("var step = 2;", "var step = 20;", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(IncrementalSource));

        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        AssertEveryStepCachedAndFreeOfSymbols(second);
        Assert.That(Reasons(second, TrackingNames.TaskModels), Has.Some.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(second.Diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "ORCH0016", "ORCH0021", "ORCH0002", "ORCH0001", "ORCH0001" }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("Timeout = global::System.TimeSpan.FromSeconds(2.5),"));
    }

    [Test]
    public void AddingLinesInABody_MovesRunControlAndSequenceDiagnostics_AsARunFromScratchReportsThem()
    {
        SyntaxTree tree = Parse(IncrementalSource);
        Compilation compilation = CreateCompilation(tree);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);
        Diagnostic[] before = driver.GetRunResult().Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();

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
        Assert.That(after.Select(d => edited.GetText().ToString(d.Location.SourceSpan)),
            Is.EqualTo(before.Select(d => tree.GetText().ToString(d.Location.SourceSpan))));
        Assert.That(after.Select(d => d.ToString()), Is.EquivalentTo(scratch.Diagnostics.Select(d => d.ToString())));
        Assert.That(Reasons(incremental, TrackingNames.TaskSpecs), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [TestCase("Timeout(2.5)", "Timeout(4)", "Timeout = global::System.TimeSpan.FromSeconds(4.0),")]
    [TestCase("Resource(\"db\", 2)", "Resource(\"db\", 3)", "new global::Orchestrate.ResourceSpec(\"db\", 3)")]
    [TestCase("[Task, Forever, Critical(false)]", "[Task, Forever, Critical]", "Critical = true,\n                IsForever = true,")]
    [TestCase("Sequence(nameof(Migrate), \"Nothing\")", "Sequence(nameof(Migrate), nameof(A))", "Sequence = new string[] { \"migrate\", \"a\" },")]
    public void ChangingARunControlAttribute_ModifiesTheCatalog(string find, string replace, string expected)
    {
        string edited = IncrementalSource.Replace(find, replace, StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(IncrementalSource));
        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        Assert.That(Reasons(second, TrackingNames.Catalog), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain(expected));
    }

    private static Diagnostic Single(GenerationResult result, string task) =>
        result.Diagnostics.Single(d => d.GetMessage(CultureInfo.InvariantCulture).StartsWith("Task '" + task + "'", StringComparison.Ordinal));
}
