using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Orchestrate.Generators;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

[TestFixture]
public sealed class UpToDateRuleTests
{
    private const string Sample = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Orchestrate;

        namespace Sample.Build
        {
            public interface IGreeter { string Greet(string name); }

            public sealed class Greeter : IGreeter
            {
                public string Greet(string name) => "hello " + name;
            }

            public static class Probe
            {
                public static string? Last;
            }

            public sealed class FakeContext(string name) : TaskContext
            {
                public override string TaskName => name;
                public override string ProjectDirectory => ".";
                public override CancellationToken CancellationToken => CancellationToken.None;
                public override IReadOnlyList<string> FileDeps => Array.Empty<string>();
                public override IReadOnlyList<string> Targets => Array.Empty<string>();
                public override Task<CommandResult> Run(IEnumerable<string> argv, RunOptions options) => throw new NotSupportedException();
                public override Task<CommandResult> Shell(string command, RunOptions? options = null) => throw new NotSupportedException();
                public override void Log(string message) { }
            }

            public static class Versions
            {
                public static string Compiler() => "gcc-14";

                public static bool Fresh(UpToDateContext context) => context.TaskName == "compile";

                public static IReadOnlyDictionary<string, string> Settings() => new Dictionary<string, string> { ["opt"] = "-O2" };
            }

            public static class Build
            {
                public static string Flags(IGreeter greeter) => greeter.Greet("flags");

                public static bool IsFresh() => true;

                public static async Task<bool> IsFreshAsync(UpToDateContext context, CancellationToken ct)
                {
                    await Task.Yield();
                    return context.TaskName == "compile" && !ct.IsCancellationRequested;
                }

                public static ValueTask<bool> Never(IGreeter greeter) => new(greeter.Greet("x") == "never");

                public static Task Scrub(TaskContext ctx)
                {
                    Probe.Last = "scrubbed by " + ctx.TaskName;
                    return Task.CompletedTask;
                }

                public static int Count() => 3;

                [Task, RunOnce, ConfigChanged(nameof(Flags)), ConfigChanged("Versions.Compiler"), ResultDep(nameof(Link))]
                [ExpiresAfter(Days = 1, Hours = 2, Minutes = 3, Seconds = 4)]
                [TimestampUnchanged("src", Kind = TimestampKind.Accessed), TimestampUnchanged("include")]
                [UpToDateIf(nameof(IsFresh)), UpToDateIf(nameof(IsFreshAsync)), UpToDateIf(nameof(Never)), UpToDateIf(nameof(Versions.Fresh))]
                [Clean(nameof(Scrub))]
                public static void Compile() { }

                [Task, ConfigChanged(nameof(Versions.Settings)), Clean(nameof(Count))]
                public static void Link() { }

                [Task]
                public static void Plain() { }
            }

            public class Deploy(IGreeter greeter)
            {
                public string Target() => greeter.Greet("target");

                public Task<bool> Ready(CancellationToken ct) => Task.FromResult(!ct.IsCancellationRequested);

                public void Wipe(TaskContext ctx, IGreeter other) => Probe.Last = "wiped " + ctx.TaskName + " " + other.Greet("x");

                [Task, ConfigChanged(nameof(Target)), UpToDateIf(nameof(Ready)), Clean(nameof(Wipe)), ResultDep("Build.Compile")]
                public Task Site() => Task.CompletedTask;
            }
        }
        """;

    private const string Prefix = "global::Orchestrate.UpToDateRule.";

    [Test]
    public void EveryRuleKind_IsEmittedInDeclarationOrder_AndCompilesWithoutWarnings()
    {
        GenerationResult result = Run(Parse(Sample));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "sample itself compiles");
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);

        string source = result.GeneratedSource!;
        Assert.That(source, Does.Contain("""
                            Name = "compile",
                            Method = "Build.Compile",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = null,
                            UpToDate = new global::Orchestrate.UpToDateRule[]
                            {
                                global::Orchestrate.UpToDateRule.RunOnce,
                                global::Orchestrate.UpToDateRule.ConfigChanged("Flags", static services => (object?)global::Sample.Build.Build.Flags(((global::Sample.Build.IGreeter)services.GetService(typeof(global::Sample.Build.IGreeter))!))),
                                global::Orchestrate.UpToDateRule.ConfigChanged("Versions.Compiler", static services => (object?)global::Sample.Build.Versions.Compiler()),
                                global::Orchestrate.UpToDateRule.ResultDep("link"),
                                global::Orchestrate.UpToDateRule.ExpiresAfter(global::System.TimeSpan.FromSeconds(93784)),
                                global::Orchestrate.UpToDateRule.TimestampUnchanged("src", global::Orchestrate.TimestampKind.Accessed),
                                global::Orchestrate.UpToDateRule.TimestampUnchanged("include", global::Orchestrate.TimestampKind.Modified),
                                global::Orchestrate.UpToDateRule.Custom("IsFresh", static context => new global::System.Threading.Tasks.ValueTask<bool?>(global::Sample.Build.Build.IsFresh())),
                                global::Orchestrate.UpToDateRule.Custom("IsFreshAsync", static async context => (bool?)(await global::Sample.Build.Build.IsFreshAsync(context, context.CancellationToken))),
                                global::Orchestrate.UpToDateRule.Custom("Never", static async context => (bool?)(await global::Sample.Build.Build.Never(context.GetService<global::Sample.Build.IGreeter>()))),
                                global::Orchestrate.UpToDateRule.Custom("Fresh", static context => new global::System.Threading.Tasks.ValueTask<bool?>(global::Sample.Build.Versions.Fresh(context))),
                            },
                            Clean = static async invocation => { await global::Sample.Build.Build.Scrub(invocation.Context); return null; },
                            IsDefault = false,
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain("""
                            CreateAfter = null,
                            UpToDate = new global::Orchestrate.UpToDateRule[]
                            {
                                global::Orchestrate.UpToDateRule.ConfigChanged("Target", static services => (object?)((global::Sample.Build.Deploy)services.GetService(typeof(global::Sample.Build.Deploy))!).Target()),
                                global::Orchestrate.UpToDateRule.Custom("Ready", static async context => (bool?)(await context.GetService<global::Sample.Build.Deploy>().Ready(context.CancellationToken))),
                                global::Orchestrate.UpToDateRule.ResultDep("compile"),
                            },
                            Clean = static invocation => { invocation.GetService<global::Sample.Build.Deploy>().Wipe(invocation.Context, invocation.GetService<global::Sample.Build.IGreeter>()); return new global::System.Threading.Tasks.ValueTask<object?>((object?)null); },
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain(
            "Clean = static invocation => new global::System.Threading.Tasks.ValueTask<object?>((object?)global::Sample.Build.Build.Count()),"));

        string plain = source.Substring(source.IndexOf("Name = \"plain\"", StringComparison.Ordinal));
        plain = plain.Substring(0, plain.IndexOf("},", StringComparison.Ordinal));
        Assert.That(plain, Does.Not.Contain("UpToDate"), "no rules: the property is left out");
        Assert.That(plain, Does.Not.Contain("Clean"));
    }

    [Test]
    public void EmittedRules_Execute()
    {
        GenerationResult result = Run(Parse(Sample));
        WithEmittedCatalog(result, "uptodate-test", (sample, descriptors) =>
        {
            var services = new ReflectionServices(sample);
            var ruleContext = new UpToDateContext("compile", ".", null, services, CancellationToken.None);

            TaskDescriptor compile = descriptors.Single(d => d.Name == "compile");
            Assert.That(compile.DependsOn, Is.Empty, "a result dep is not duplicated into DependsOn");
            Assert.That(compile.UpToDate.Select(r => r.GetType().Name), Is.EqualTo(new[]
            {
                "RunOnceRule", "ConfigChangedRule", "ConfigChangedRule", "ResultDepRule", "ExpiresAfterRule", "TimestampUnchangedRule",
                "TimestampUnchangedRule", "CustomRule", "CustomRule", "CustomRule", "CustomRule",
            }));
            Assert.That(compile.UpToDate[0], Is.SameAs(UpToDateRule.RunOnce));

            var flags = (ConfigChangedRule)compile.UpToDate[1];
            Assert.That(flags.Name, Is.EqualTo("Flags"));
            Assert.That(flags.Compute(services), Is.EqualTo("hello flags"));
            Assert.That(((ConfigChangedRule)compile.UpToDate[2]).Compute(services), Is.EqualTo("gcc-14"));
            Assert.That(compile.UpToDate[3], Is.EqualTo(UpToDateRule.ResultDep("link")));
            Assert.That(((ExpiresAfterRule)compile.UpToDate[4]).Lifetime, Is.EqualTo(new TimeSpan(1, 2, 3, 4)));
            Assert.That(compile.UpToDate[5], Is.EqualTo(UpToDateRule.TimestampUnchanged("src", TimestampKind.Accessed)));
            Assert.That(compile.UpToDate[6], Is.EqualTo(UpToDateRule.TimestampUnchanged("include", TimestampKind.Modified)));

            var custom = compile.UpToDate.Skip(7).Cast<CustomRule>().ToList();
            Assert.That(custom.Select(c => c.Name), Is.EqualTo(new[] { "IsFresh", "IsFreshAsync", "Never", "Fresh" }));
            Assert.That(custom.Select(c => c.IsUpToDate(ruleContext).AsTask().GetAwaiter().GetResult()), Is.EqualTo(new[] { true, true, false, true }));
            var otherTask = new UpToDateContext("other", ".", null, services, CancellationToken.None);
            Assert.That(custom[1].IsUpToDate(otherTask).AsTask().GetAwaiter().GetResult(), Is.False, "the predicate sees the context");

            Assert.That(compile.Clean!(Invocation(sample, services, "compile")).AsTask().GetAwaiter().GetResult(), Is.Null);
            Assert.That(Probe(sample), Is.EqualTo("scrubbed by compile"));

            TaskDescriptor link = descriptors.Single(d => d.Name == "link");
            Assert.That(((ConfigChangedRule)link.UpToDate.Single()).Compute(services), Is.EqualTo(new Dictionary<string, string> { ["opt"] = "-O2" }));
            Assert.That(link.Clean!(Invocation(sample, services, "link")).AsTask().GetAwaiter().GetResult(), Is.EqualTo(3));

            TaskDescriptor site = descriptors.Single(d => d.Name == "site");
            Assert.That(((ConfigChangedRule)site.UpToDate[0]).Compute(services), Is.EqualTo("hello target"));
            Assert.That(((CustomRule)site.UpToDate[1]).IsUpToDate(ruleContext).AsTask().GetAwaiter().GetResult(), Is.True);
            Assert.That(site.UpToDate[2], Is.EqualTo(UpToDateRule.ResultDep("compile")));
            Assert.That(site.Clean!(Invocation(sample, services, "site")).AsTask().GetAwaiter().GetResult(), Is.Null);
            Assert.That(Probe(sample), Is.EqualTo("wiped site hello x"));

            TaskDescriptor plain = descriptors.Single(d => d.Name == "plain");
            Assert.That(plain.UpToDate, Is.Empty);
            Assert.That(plain.Clean, Is.Null);
        });
    }

    [Test]
    public void ResultDep_IsAnOrderingEdge_ForCycles()
    {
        string source = Usings + """
            public static class Build
            {
                [Task, ResultDep("b")]
                public static void A() { }

                [Task, DependsOn("a")]
                public static void B() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0001", "ORCH0001" }));
        Diagnostic a = result.Diagnostics.Single(d => d.GetMessage().StartsWith("Task 'a'", StringComparison.Ordinal));
        Assert.That(a.GetMessage(), Is.EqualTo("Task 'a' is part of a dependency cycle: a -> b -> a. Remove one of these dependencies."));
        Assert.That(a.Line(), Is.EqualTo(LineOf(source, "ResultDep(\"b\")")));
    }

    [Test]
    public void ResultDep_Unknown_IsORCH0002_OnTheArgument()
    {
        string source = Usings + """
            public static class Build
            {
                [Task]
                [ResultDep("complie")]
                public static void Link() { }

                [Task]
                public static void Compile() { }
            }
            """;
        Diagnostic diagnostic = Run(source, withUsings: false).Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0002"));
        Assert.That(diagnostic.GetMessage(), Is.EqualTo("Task 'link' depends on the result of 'complie', which is not a task. Did you mean 'compile'?"));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "[ResultDep(\"complie\")]")));
        Assert.That(diagnostic.Location.GetLineSpan().StartLinePosition.Character, Is.EqualTo("    [ResultDep(".Length));
    }

    [Test]
    public void ResultDep_Ambiguous_IsORCH0007()
    {
        string source = Usings + """
            public static class Build
            {
                [Task, ResultDep("Compile")]
                public static void Link() { }
            }

            public static class Web { [Task("web-compile")] public static void Compile() { } }

            public static class Native { [Task("native-compile")] public static void Compile() { } }
            """;
        Diagnostic diagnostic = Run(source, withUsings: false).Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0007"));
        Assert.That(diagnostic.GetMessage(), Does.StartWith("Task 'link' depends on the result of 'Compile', which matches several tasks: "));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, "ResultDep(\"Compile\")")));
    }

    [TestCase("[ConfigChanged(\"Flagz\")]", "Task 'compile' uses [ConfigChanged(\"Flagz\")], but 'Flagz' is not a method of 'Build'. Did you mean 'Flags'?")]
    [TestCase("[UpToDateIf(\"Nothing\")]", "Task 'compile' uses [UpToDateIf(\"Nothing\")], but 'Nothing' is not a method of 'Build'. Name a method of 'Build', or a method of another class as Type.Method.")]
    [TestCase("[Clean(\"Tools.Wipe\")]", "Task 'compile' uses [Clean(\"Tools.Wipe\")], but 'Tools' is not a type visible from 'Build'. Name a method of the task's class, or a method of another class as Type.Method.")]
    [TestCase("[Clean(\"Helpers.Wipee\")]", "Task 'compile' uses [Clean(\"Helpers.Wipee\")], but 'Wipee' is not a method of 'Helpers'. Did you mean 'Wipe'?")]
    [TestCase("[ConfigChanged(nameof(Version))]", "Task 'compile' uses [ConfigChanged(\"Version\")], but 'Version' is not a method of 'Build'. Name a method of 'Build', or a method of another class as Type.Method.")]
    public void UnknownMethod_IsORCH0009_OnTheArgument(string attribute, string message)
    {
        string source = Usings + """
            public static class Helpers { public static void Wipe() { } }

            public static class Build
            {
                public static string Flags() => "";

                public static string Version => "1";

                [Task]
                ATTRIBUTE
                public static void Compile() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(diagnostic.Id, Is.EqualTo("ORCH0009"));
            Assert.That(diagnostic.GetMessage(), Is.EqualTo(message));
            Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(diagnostic.Descriptor.HelpLinkUri, Is.Empty, "no placeholder address");
            Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, attribute)));
            Assert.That(diagnostic.Location.GetLineSpan().StartLinePosition.Character, Is.EqualTo(attribute.IndexOf('(', StringComparison.Ordinal) + 5));
        });
        Assert.That(result.OutputErrors, Is.Empty, "the rule is left out of the catalog");
    }

    [TestCase("[ConfigChanged(nameof(Nothing))]", "Nothing", "it returns void. A [ConfigChanged] method takes no parameters or only services, and returns the configuration value (not void or a task).")]
    [TestCase("[ConfigChanged(nameof(Later))]", "Later", "it returns 'System.Threading.Tasks.Task<string>', but the value is computed synchronously. A [ConfigChanged] method takes no parameters or only services, and returns the configuration value (not void or a task).")]
    [TestCase("[ConfigChanged(nameof(WithToken))]", "WithToken", "its parameter 'ct' has type 'System.Threading.CancellationToken'. A [ConfigChanged] method takes no parameters or only services, and returns the configuration value (not void or a task).")]
    [TestCase("[UpToDateIf(nameof(Number))]", "Number", "it returns 'int'. An [UpToDateIf] method returns bool or bool? (null: no opinion), or a Task or ValueTask of one, and takes only UpToDateContext, CancellationToken or services.")]
    [TestCase("[UpToDateIf(nameof(LaterText))]", "LaterText", "it returns 'System.Threading.Tasks.Task<string>'. An [UpToDateIf] method returns bool or bool? (null: no opinion), or a Task or ValueTask of one, and takes only UpToDateContext, CancellationToken or services.")]
    [TestCase("[UpToDateIf(nameof(WithCount))]", "WithCount", "its parameter 'count' has type 'int'. An [UpToDateIf] method returns bool or bool? (null: no opinion), or a Task or ValueTask of one, and takes only UpToDateContext, CancellationToken or services.")]
    [TestCase("[UpToDateIf(nameof(WithTaskContext))]", "WithTaskContext", "its parameter 'ctx' has type 'Orchestrate.TaskContext'. An [UpToDateIf] method returns bool or bool? (null: no opinion), or a Task or ValueTask of one, and takes only UpToDateContext, CancellationToken or services.")]
    [TestCase("[Clean(nameof(WithRuleContext))]", "WithRuleContext", "its parameter 'context' has type 'UpToDateContext', which only [UpToDateIf] methods get. A [Clean] method takes what a task may take (TaskContext, CancellationToken or services) and returns void, Task, ValueTask, Task<T>, ValueTask<T> or a value.")]
    [TestCase("[Clean(nameof(Generic))]", "Generic", "it is generic. Remove its type parameters.")]
    [TestCase("[Clean(nameof(Hidden))]", "Hidden", "it is private. Make it public or internal.")]
    [TestCase("[Clean(nameof(Instance))]", "Instance", "it is an instance method of static class 'Build'. Make the method static.")]
    [TestCase("[ConfigChanged(nameof(Overloaded))]", "Overloaded", "it has 2 overloads that fit. Give the method a name of its own.")]
    [TestCase("[UpToDateIf(nameof(Overloaded))]", "Overloaded", "none of its 2 overloads fits (the first: it returns 'string'). An [UpToDateIf] method returns bool or bool? (null: no opinion), or a Task or ValueTask of one, and takes only UpToDateContext, CancellationToken or services.")]
    public void UnsupportedMethod_IsORCH0010_OnTheArgument(string attribute, string method, string problem)
    {
        string source = Usings + """
            public interface IGreeter { }

            public static class Build
            {
                public static void Nothing() { }
                public static Task<string> Later() => Task.FromResult("");
                public static string WithToken(CancellationToken ct) => "";
                public static int Number() => 1;
                public static Task<string> LaterText() => Task.FromResult("");
                public static bool WithCount(int count) => true;
                public static bool WithTaskContext(TaskContext ctx) => true;
                public static void WithRuleContext(UpToDateContext context) { }
                public static void Generic<T>() { }
                private static void Hidden() { }
                public static string Overloaded() => "";
                public static string Overloaded(IGreeter greeter) => "";

                [Task]
                ATTRIBUTE
                public static void Compile() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        if (method == "Instance")
        {
            // An instance method of a static class does not compile; the generator still explains itself.
            source = source.Replace("public static void Nothing() { }", "public void Instance() { }", StringComparison.Ordinal);
        }

        GenerationResult result = Run(source, withUsings: false);
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(diagnostic.Id, Is.EqualTo("ORCH0010"));
            string name = attribute.Substring(1, attribute.IndexOf('(', StringComparison.Ordinal) - 1);
            Assert.That(diagnostic.GetMessage(), Is.EqualTo($"Task 'compile' uses [{name}(\"{method}\")], but method 'Build.{method}' cannot be used: {problem}"));
            Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, attribute)));
            Assert.That(diagnostic.Location.GetLineSpan().StartLinePosition.Character, Is.EqualTo(attribute.IndexOf('(', StringComparison.Ordinal) + 5));
        });
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);
    }

    [Test]
    public void ReferenceWithCompileErrors_IsLeftToTheCompiler()
    {
        string source = Usings + """
            public static class Build
            {
                public static string Broken(NoSuchService service) => "";

                [Task, ConfigChanged(nameof(Broken)), UpToDateIf(nameof(Missing))]
                public static void Compile() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);
        Assert.That(result.OutputErrors.Select(e => e.Id), Is.EquivalentTo(new[] { "CS0246", "CS0103" }));
    }

    [TestCase("[ExpiresAfter]", "0", "so it would never be up to date")]
    [TestCase("[ExpiresAfter(Hours = 1, Minutes = -60)]", "0", "so it would never be up to date")]
    [TestCase("[ExpiresAfter(Seconds = -5)]", "-5", "so it would never be up to date")]
    [TestCase("[ExpiresAfter(Days = int.MaxValue)]", "185542587100800", "which is more than a TimeSpan holds")]
    public void InvalidExpiry_IsORCH0011(string attribute, string seconds, string problem)
    {
        string source = Usings + """
            public static class Build
            {
                [Task]
                ATTRIBUTE
                public static void Compile() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        Diagnostic diagnostic = result.Diagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("ORCH0011"));
        Assert.That(diagnostic.GetMessage(), Is.EqualTo(
            $"Task 'compile' expires after {seconds} seconds, {problem}. Set Days, Hours, Minutes or Seconds of [ExpiresAfter] to a positive total of at most 10675199 days."));
        Assert.That(diagnostic.Line(), Is.EqualTo(LineOf(source, attribute)));
        Assert.That(result.GeneratedSource, Does.Not.Contain("ExpiresAfter"));
    }

    [Test]
    public void NewDiagnostics_AreErrorsWithTheSharedHelpLink()
    {
        foreach (DiagnosticDescriptor descriptor in new[]
                 {
                     DiagnosticDescriptors.UnknownRuleMethod, DiagnosticDescriptors.UnsupportedRuleMethod, DiagnosticDescriptors.InvalidExpiry,
                 })
        {
            Assert.That(descriptor.DefaultSeverity, Is.EqualTo(DiagnosticSeverity.Error), descriptor.Id);
            Assert.That(descriptor.Category, Is.EqualTo("Orchestrate"), descriptor.Id);
            Assert.That(descriptor.HelpLinkUri, Is.EqualTo(DiagnosticDescriptors.Cycle.HelpLinkUri), descriptor.Id);
        }

        Assert.That(new[] { "ORCH0009", "ORCH0010", "ORCH0011" },
            Is.EqualTo(new[] { DiagnosticDescriptors.UnknownRuleMethod.Id, DiagnosticDescriptors.UnsupportedRuleMethod.Id, DiagnosticDescriptors.InvalidExpiry.Id }));
    }

    private const string IncrementalSource = Usings + """
        public static class Build
        {
            public static string Flags() => "-O2";

            public static async Task<bool> Fresh(UpToDateContext context, CancellationToken ct) => await Task.FromResult(true);

            public static void Scrub(TaskContext ctx) => ctx.Log("scrub");

            [Task, RunOnce, ConfigChanged(nameof(Flags)), ResultDep(nameof(Link)), ExpiresAfter(Hours = 1)]
            [TimestampUnchanged("src", Kind = TimestampKind.Changed), UpToDateIf(nameof(Fresh)), Clean(nameof(Scrub))]
            public static void Compile() { }

            [Task, ResultDep("Tset")]
            public static void Link() { }
        }
        """;

    [Test]
    public void EditingBodies_WithRulesPresent_KeepsEveryStepCached()
    {
        string edited = IncrementalSource
            .Replace("=> \"-O2\";", "=> \"-O3 -g\";", StringComparison.Ordinal)
            .Replace("ctx.Log(\"scrub\")", "ctx.Log(\"scrubbing everything\")", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(IncrementalSource));

        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        AssertEveryStepCachedAndFreeOfSymbols(second);

        Assert.That(Reasons(second, TrackingNames.TaskModels), Has.Some.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(second.Diagnostics.Single().Id, Is.EqualTo("ORCH0002"));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("UpToDateRule.Custom(\"Fresh\""));
    }

    [Test]
    public void ChangingARuleMethodsSignature_ModifiesTheCatalog()
    {
        string edited = IncrementalSource.Replace("public static void Scrub(TaskContext ctx)", "public static void Scrub(CancellationToken ct)", StringComparison.Ordinal)
            .Replace("ctx.Log(\"scrub\")", "ct.ThrowIfCancellationRequested()", StringComparison.Ordinal);
        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        Assert.That(Reasons(second, TrackingNames.Catalog), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("global::Build.Scrub(invocation.CancellationToken)"));
    }

    private static TaskInvocation Invocation(Assembly sample, IServiceProvider services, string task) =>
        new(services, (TaskContext)Activator.CreateInstance(sample.GetType("Sample.Build.FakeContext")!, task)!);

    private static object? Probe(Assembly sample) => sample.GetType("Sample.Build.Probe")!.GetField("Last")!.GetValue(null);

    /// <summary>Creates classes by their first constructor, and interfaces from their one implementation in the sample.</summary>
    private sealed class ReflectionServices(Assembly sample) : IServiceProvider
    {
        public object? GetService(Type serviceType)
        {
            Type? concrete = serviceType.IsInterface
                ? sample.GetTypes().FirstOrDefault(t => t.IsClass && !t.IsAbstract && serviceType.IsAssignableFrom(t))
                : serviceType;
            if (concrete is null || concrete.IsAbstract)
            {
                return null;
            }

            ConstructorInfo constructor = concrete.GetConstructors().First();
            object?[] arguments = constructor.GetParameters().Select(p => GetService(p.ParameterType)).ToArray();
            return constructor.Invoke(arguments);
        }
    }
}
