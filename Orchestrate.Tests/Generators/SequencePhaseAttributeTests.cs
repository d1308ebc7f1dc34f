using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Orchestrate.Generators;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

/// <summary>[LocalPre], [LocalPost], [SubSequenceOf] and [ForEach]: the catalog, the sub sequence edges and ORCH0022-ORCH0027.</summary>
[TestFixture]
public sealed class SequencePhaseAttributeTests
{
    private const string HelpLink = DiagnosticsHelpLink;

    private const string Sample = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Orchestrate;

        namespace Fleet
        {
            public interface IClock { DateTime Now { get; } }

            public static class Web
            {
                [Task, Hosts("web"), FileDep("templates/server.conf"), Targets("out/{host}/server.conf")]
                [LocalPre(nameof(Render)), LocalPost(nameof(Summarise))]
                [Ship("out/{host}/server.conf", "fleet/{host}/etc"), RemoteStep("echo installed"), Fetch("fleet/{host}/server.log", "out/{host}")]
                public static void Server() { }

                public static void Render(RemoteContext host) { }

                public static async Task<int> Summarise(RemoteContext host, CancellationToken ct, IClock clock) { await Task.Yield(); return 1; }

                [Task, SubSequenceOf(nameof(Server)), ForEach(nameof(Sites))]
                [Ship("sites/{item}/**", "fleet/{host}/www/{item}"), RemoteStep("echo {item} on {host}"), RemoteTargets("fleet/{host}/www/{item}/index.html")]
                [Fetch("fleet/{host}/logs/{item}.log", "out/logs/{host}")]
                public static void Site(RemoteContext host) => host.Log(host.Item ?? "");

                public static IEnumerable<string> Sites(HostInfo host) =>
                    host.Vars.TryGetValue("sites", out var sites) ? sites.Split(',') : new[] { "blog", "shop" };

                [Task("probe"), SubSequenceOf("server"), ForEach(nameof(Probes))]
                public static Task Probe(RemoteContext host) => Task.CompletedTask;

                public static List<string> Probes() => new List<string> { "health" };

                [Task, SubSequenceOf(nameof(Server))]
                public static void Once() { }

                [Task, DependsOn(nameof(Server))]
                public static void Report() { }
            }
        }
        """;

    [Test]
    public void SequenceAttributes_AreEmitted_AndCompileWithoutWarnings()
    {
        GenerationResult result = Run(Parse(Sample));

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "the sample itself compiles");
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);
        string source = result.GeneratedSource!;
        Assert.That(source, Does.Contain("""
                            RemoteTargets = new string[] { "fleet/{host}/www/{item}/index.html" },
                            SubSequenceOf = "server",
                            ForEach = static host => global::Fleet.Web.Sites(host),
                            IsDefault = false,
            """.Replace("\r\n", "\n")), "a sub sequence without [Hosts] keeps its remote members and names its super sequence by task name");
        Assert.That(source, Does.Contain("""
                            LocalPre = static invocation => { global::Fleet.Web.Render((global::Orchestrate.RemoteContext)invocation.Context); return new global::System.Threading.Tasks.ValueTask<object?>((object?)null); },
                            LocalPost = static async invocation => (object?)(await global::Fleet.Web.Summarise((global::Orchestrate.RemoteContext)invocation.Context, invocation.CancellationToken, invocation.GetService<global::Fleet.IClock>())),
                            IsDefault = false,
                            ServiceType = null,
                            TakesServices = true,
            """.Replace("\r\n", "\n")), "local steps are invoked as the task itself is; a service they take makes the task take services");
        Assert.That(source, Does.Contain("ForEach = static _ => global::Fleet.Web.Probes(),"));
        Assert.That(source, Does.Contain("""
                            Name = "once",
                            Method = "Web.Once",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = null,
                            SubSequenceOf = "server",
                            IsDefault = false,
            """.Replace("\r\n", "\n")), "no [ForEach]: one sub sequence per host");
        Assert.That(source, Does.Contain("""
                            Name = "report",
                            Method = "Web.Report",
                            Doc = null,
                            DependsOn = new string[] { "server" },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = null,
                            IsDefault = false,
            """.Replace("\r\n", "\n")), "a task without the attributes leaves every sequence member out");
    }

    [Test]
    public void EmittedCatalog_Executes_AndItsDescriptorsCarryTheValues()
    {
        GenerationResult result = Run(Parse(Sample));
        WithEmittedCatalog(result, "sequence-attribute-test", (_, catalog) =>
        {
            var descriptors = catalog.ToDictionary(d => d.Name);
            var plain = new HostInfo("web1", "10.0.0.1", new Dictionary<string, string>());
            var custom = new HostInfo("web2", "10.0.0.2", new Dictionary<string, string> { ["sites"] = "docs,wiki,blog" });

            Assert.Multiple(() =>
            {
                Assert.That(descriptors["server"].LocalPre, Is.Not.Null);
                Assert.That(descriptors["server"].LocalPost, Is.Not.Null);
                Assert.That(descriptors["server"].TakesServices, Is.True);
                Assert.That(descriptors["server"].SubSequenceOf, Is.Null);
                Assert.That(descriptors["site"].SubSequenceOf, Is.EqualTo("server"));
                Assert.That(descriptors["site"].Hosts, Is.Null, "a sub sequence runs on its super sequence's hosts");
                Assert.That(descriptors["site"].LocalPre, Is.Null);
                Assert.That(descriptors["site"].ForEach!(plain), Is.EqualTo(new[] { "blog", "shop" }));
                Assert.That(descriptors["site"].ForEach!(custom), Is.EqualTo(new[] { "docs", "wiki", "blog" }), "the method is given the host");
                Assert.That(descriptors["site"].Ships.Single(), Is.EqualTo(new ShipSpec("sites/{item}/**", "fleet/{host}/www/{item}")));
                Assert.That(descriptors["probe"].ForEach!(plain), Is.EqualTo(new[] { "health" }));
                Assert.That(descriptors["once"].ForEach, Is.Null);
                Assert.That(descriptors["report"].LocalPre, Is.Null);
                Assert.That(descriptors["report"].SubSequenceOf, Is.Null);
            });
        });
    }

    [TestCase("LocalPre(\"Rendr\")", "\"Rendr\"", "ORCH0022", "Task 'server' uses [LocalPre(\"Rendr\")], but 'Rendr' is not a method of 'Web'. Did you mean 'Render'?")]
    [TestCase("LocalPost(\"Nothing\")", "\"Nothing\"", "ORCH0022", "Task 'server' uses [LocalPost(\"Nothing\")], but 'Nothing' is not a method of 'Web'. Name a method of 'Web', or a method of another class as Type.Method.")]
    [TestCase("LocalPre(nameof(Count))", "nameof(Count)", "ORCH0023",
        "Task 'server' uses [LocalPre(\"Count\")], but method 'Web.Count' cannot be used: its parameter 'n' has type 'int'. A [LocalPre] method is shaped like a task method: it takes RemoteContext (or TaskContext), CancellationToken or services, and returns void, Task, ValueTask, Task<T>, ValueTask<T> or a value.")]
    [TestCase("LocalPost(nameof(Hidden))", "nameof(Hidden)", "ORCH0023",
        "Task 'server' uses [LocalPost(\"Hidden\")], but method 'Web.Hidden' cannot be used: it is private. Make it public or internal.")]
    public void LocalStepMethodMissingOrOfTheWrongShape_IsReportedOnTheArgument(string attribute, string argument, string id, string message)
    {
        string source = Usings + """
            public static class Web
            {
                [Task, Hosts("web")]
                [ATTRIBUTE]
                public static void Server() { }

                public static void Render(RemoteContext host) { }

                public static void Count(int n) { }

                private static void Hidden() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);

        GenerationResult result = Run(source, withUsings: false);

        AssertDiagnostic(result.Diagnostics.Single(), id, source, attribute, attribute.IndexOf(argument, StringComparison.Ordinal), message);
        Assert.That(result.GeneratedSource, Does.Not.Contain("LocalPre =").And.Not.Contain("LocalPost ="));
    }

    [TestCase("ForEach(\"Sitess\")", "\"Sitess\"", "ORCH0022", "Task 'site' uses [ForEach(\"Sitess\")], but 'Sitess' is not a method of 'Web'. Did you mean 'Sites'?")]
    [TestCase("ForEach(nameof(Count))", "nameof(Count)", "ORCH0023",
        "Task 'site' uses [ForEach(\"Count\")], but method 'Web.Count' cannot be used: it returns 'int'. A [ForEach] method is static, takes no parameter or one HostInfo, and returns the items as an IEnumerable<string> (string[], List<string>, ...).")]
    [TestCase("ForEach(nameof(Later))", "nameof(Later)", "ORCH0023",
        "Task 'site' uses [ForEach(\"Later\")], but method 'Web.Later' cannot be used: it returns 'System.Threading.Tasks.Task<string[]>'. A [ForEach] method is static, takes no parameter or one HostInfo, and returns the items as an IEnumerable<string> (string[], List<string>, ...).")]
    [TestCase("ForEach(nameof(ByName))", "nameof(ByName)", "ORCH0023",
        "Task 'site' uses [ForEach(\"ByName\")], but method 'Web.ByName' cannot be used: its parameter 'host' has type 'string', not HostInfo. A [ForEach] method is static, takes no parameter or one HostInfo, and returns the items as an IEnumerable<string> (string[], List<string>, ...).")]
    [TestCase("ForEach(nameof(Helper.Own))", "nameof(Helper.Own)", "ORCH0023",
        "Task 'site' uses [ForEach(\"Own\")], but method 'Helper.Own' cannot be used: it is an instance method, and the items are asked for before any task runs. Make the method static.")]
    public void ForEachMethodMissingOrOfTheWrongShape_IsReportedOnTheArgument(string attribute, string argument, string id, string message)
    {
        string source = Usings + """
            public class Helper
            {
                public string[] Own() => new[] { "a" };
            }

            public static class Web
            {
                [Task, Hosts("web")]
                public static void Server() { }

                [Task, SubSequenceOf(nameof(Server))]
                [ATTRIBUTE]
                public static void Site() { }

                public static string[] Sites() => new[] { "blog" };

                public static int Count() => 1;

                public static Task<string[]> Later() => Task.FromResult(new[] { "blog" });

                public static string[] ByName(string host) => new[] { host };
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);

        GenerationResult result = Run(source, withUsings: false);

        AssertDiagnostic(result.Diagnostics.Single(), id, source, attribute, attribute.IndexOf(argument, StringComparison.Ordinal), message);
        Assert.That(result.GeneratedSource, Does.Not.Contain("ForEach ="));
    }

    [TestCase("nameof(Site)", "Task 'site' is a sub sequence of 'Site', but that is the task itself. Name the host task it runs after on each host.")]
    [TestCase("nameof(Build)", "Task 'site' is a sub sequence of 'Build', but 'build' is not a host task. Mark 'Web.Build' with [Hosts(\"group\")], or name a host task.")]
    [TestCase("nameof(Probe)",
        "Task 'site' is a sub sequence of 'Probe', but 'probe' is itself a sub sequence (of 'Server'), and sub sequences do not nest. Name a host task with [Hosts] as its super sequence, such as 'Server'.")]
    public void SubSequenceOfATaskThatCannotBeASuperSequence_IsORCH0024_OnTheArgument(string argument, string message)
    {
        string attribute = "SubSequenceOf(" + argument + ")";
        string source = Usings + """
            public static class Web
            {
                [Task, Hosts("web")]
                public static void Server() { }

                [Task]
                public static void Build() { }

                [Task, SubSequenceOf(nameof(Server))]
                public static void Probe() { }

                [Task, ATTRIBUTE, RemoteStep("echo {item}")]
                public static void Site() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);

        GenerationResult result = Run(source, withUsings: false);

        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0024", source, attribute, "SubSequenceOf(".Length, message);
    }

    [Test]
    public void SubSequenceOfNoTask_IsORCH0002_WithASuggestion()
    {
        string source = Usings + """
            public static class Web
            {
                [Task, Hosts("web")]
                public static void Server() { }

                [Task, SubSequenceOf("servr")]
                public static void Site() { }
            }
            """;

        GenerationResult result = Run(source, withUsings: false);

        AssertDiagnostic(result.Diagnostics.Single(), "ORCH0002", source, "\"servr\"", 0,
            "Task 'site' is a sub sequence of 'servr', which is not a task. Did you mean 'server'?");
    }

    [Test]
    public void MisplacedSequenceAttributes_AreORCH0025_ORCH0026_ORCH0027_OnTheirArguments()
    {
        string source = Usings + """
            public static class Web
            {
                [Task, Hosts("web")]
                public static void Server() { }

                [Task, Hosts("db"), SubSequenceOf(nameof(Server))]
                public static void Site() { }

                [Task, Hosts("web"), ForEach(nameof(Items))]
                public static void Lonely() { }

                [Task, LocalPre(nameof(Prepare)), LocalPost(nameof(Prepare))]
                public static void Local() { }

                public static string[] Items() => new[] { "a" };

                public static void Prepare() { }
            }
            """;

        GenerationResult result = Run(source, withUsings: false);

        Diagnostic[] diagnostics = result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.That(diagnostics, Has.Length.EqualTo(4), string.Join("\n", diagnostics.Select(d => d.ToString())));
        AssertDiagnostic(diagnostics[0], "ORCH0025", source, "\"db\"", 0,
            "Task 'site' has [Hosts] and [SubSequenceOf(\"Server\")], but a sub sequence runs on the hosts of its super sequence, so its own [Hosts] would not be used. Remove [Hosts]; to run on other hosts, make it a host task of its own instead of a sub sequence.");
        AssertDiagnostic(diagnostics[1], "ORCH0026", source, "nameof(Items)", 0,
            "Task 'lonely' has [ForEach], but only a sub sequence runs once per item. Add [SubSequenceOf(nameof(SuperTask))] to run it after a host task once per item on each host, or remove [ForEach].");
        AssertDiagnostic(diagnostics[2], "ORCH0027", source, "LocalPre(nameof(Prepare))", "LocalPre(".Length,
            "Task 'local' has [LocalPre], which only a host task or a sub sequence can have (it runs on this machine once per host), but the task has neither [Hosts] nor [SubSequenceOf]. Add [Hosts(\"group\")] or [SubSequenceOf(nameof(SuperTask))], or remove [LocalPre].");
        AssertDiagnostic(diagnostics[3], "ORCH0027", source, "LocalPost(nameof(Prepare))", "LocalPost(".Length,
            "Task 'local' has [LocalPost], which only a host task or a sub sequence can have (it runs on this machine once per host), but the task has neither [Hosts] nor [SubSequenceOf]. Add [Hosts(\"group\")] or [SubSequenceOf(nameof(SuperTask))], or remove [LocalPost].");
    }

    [Test]
    public void LocalStepsOnAForeverOrSequenceHostTask_AreORCH0028_OnTheirArguments()
    {
        string source = Usings + """
            public static class Lab
            {
                [Task, Hosts("lab"), Forever, LocalPre(nameof(Prepare))]
                public static void Monitor() { }

                [Task, Hosts("lab"), Sequence(nameof(Monitor)), LocalPost(nameof(Prepare))]
                public static void Experiment() { }

                public static void Prepare() { }
            }
            """;

        GenerationResult result = Run(source, withUsings: false);

        Diagnostic[] diagnostics = result.Diagnostics.Where(d => d.Id == "ORCH0028").OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.That(diagnostics, Has.Length.EqualTo(2), string.Join("\n", result.Diagnostics.Select(d => d.ToString())));
        AssertDiagnostic(diagnostics[0], "ORCH0028", source, "LocalPre(nameof(Prepare))", "LocalPre(".Length,
            "Task 'monitor' has [LocalPre], but it is a [Forever] task, which runs on each host as one node without the local phases. Move the local work into a task of its own ([DependsOn] it, or make it a step of the [Sequence]), or remove [Forever].");
        AssertDiagnostic(diagnostics[1], "ORCH0028", source, "LocalPost(nameof(Prepare))", "LocalPost(".Length,
            "Task 'experiment' has [LocalPost], but it is a [Sequence] task, which runs on each host as one node without the local phases. Move the local work into a task of its own ([DependsOn] it, or make it a step of the [Sequence]), or remove [Sequence].");
    }

    [Test]
    public void RemoteAttributesOnASubSequenceWithoutHosts_AreAccepted_ButNotOnALocalTask()
    {
        string source = Usings + """
            public static class Web
            {
                [Task, Hosts("web")]
                public static void Server() { }

                [Task, SubSequenceOf(nameof(Server)), LocalPre(nameof(Prepare))]
                [RemoteStep("echo {item}"), Ship("sites/{item}/index.html", "www/{host}/{item}"), Fetch("logs/{item}.log", "out/{host}"), RemoteTargets("www/{host}/{item}")]
                public static void Site(RemoteContext host) { }

                [Task, RemoteStep("echo local")]
                public static void Local(RemoteContext host) { }

                public static void Prepare(RemoteContext host) { }
            }
            """;

        GenerationResult result = Run(source, withUsings: false);

        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0012", "ORCH0013" }), "only the local task is told it needs [Hosts]");
        Assert.That(result.Diagnostics.All(d => d.GetMessage(CultureInfo.InvariantCulture).StartsWith("Task 'local'", StringComparison.Ordinal)
            || d.GetMessage(CultureInfo.InvariantCulture).Contains("of task 'local'", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void ASubSequenceDependingOnWhatNeedsItsSuper_IsACycle_ThroughTheSuperNode()
    {
        string source = Usings + """
            public static class Web
            {
                [Task, Hosts("web")]
                public static void Server() { }

                [Task, SubSequenceOf(nameof(Server)), DependsOn(nameof(Report))]
                public static void Site() { }

                [Task, DependsOn(nameof(Server))]
                public static void Report() { }
            }
            """;

        GenerationResult result = Run(source, withUsings: false);

        string[] messages = result.WithId("ORCH0001").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).OrderBy(m => m, StringComparer.Ordinal).ToArray();
        Assert.That(messages, Is.EqualTo(new[]
        {
            "Task 'report' is part of a dependency cycle: report -> server -> report (dependency of sub sequence 'site'). Remove one of these dependencies.",
            "Task 'server' is part of a dependency cycle: server -> report (dependency of sub sequence 'site') -> server. Remove one of these dependencies.",
        }), "the super task's node gathers the sub sequence, so it waits for what the sub sequence depends on");
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.All.EqualTo("ORCH0001"));
    }

    [Test]
    public void ASuperDependingOnWhatNeedsItsSub_IsACycle_AndASubFollowsItsSupersDependencies()
    {
        string source = Usings + """
            public static class Web
            {
                [Task, Hosts("web"), DependsOn(nameof(Package))]
                public static void Server() { }

                [Task, SubSequenceOf(nameof(Server))]
                public static void Site() { }

                [Task, DependsOn(nameof(Site))]
                public static void Package() { }
            }
            """;

        GenerationResult result = Run(source, withUsings: false);

        string[] messages = result.WithId("ORCH0001").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).OrderBy(m => m, StringComparer.Ordinal).ToArray();
        Assert.That(messages, Is.EqualTo(new[]
        {
            "Task 'package' is part of a dependency cycle: package -> site -> package (dependency of super sequence 'server'). Remove one of these dependencies.",
            "Task 'site' is part of a dependency cycle: site -> package (dependency of super sequence 'server') -> site. Remove one of these dependencies.",
        }), "a sub sequence runs after its super sequence, so it waits for what the super sequence depends on; server only waits for the loop");
    }

    [Test]
    public void SuperAndSubSequences_WithoutALoop_AreNoCycle()
    {
        string source = Usings + """
            public static class Web
            {
                [Task]
                public static void Build() { }

                [Task, Hosts("web"), DependsOn(nameof(Build))]
                public static void Server() { }

                [Task, SubSequenceOf(nameof(Server)), DependsOn(nameof(Build))]
                public static void Site() { }

                [Task, DependsOn(nameof(Server), nameof(Site))]
                public static void Report() { }
            }
            """;

        GenerationResult result = Run(source, withUsings: false);

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
    }

    private const string IncrementalSource = """
        using System.Collections.Generic;
        using Orchestrate;

        public static class Web
        {
            [Task, Hosts("web"), LocalPre(nameof(Render)), LocalPost(nameof(Summarise)), Fetch("logs/server.log", "out/{host}")]
            public static void Server() { }

            public static void Render(RemoteContext host)
            {
                var step = 1;
                host.Log(step.ToString());
            }

            public static void Summarise(RemoteContext host) { }

            [Task, SubSequenceOf(nameof(Server)), ForEach(nameof(Sites)), RemoteStep("echo {item}")]
            public static void Site() { }

            public static IEnumerable<string> Sites(HostInfo host)
            {
                var step = 2;
                return new[] { "blog" + step };
            }

            [Task, SubSequenceOf(nameof(Site))]
            public static void Nested() { }

            [Task, ForEach("Missing")]
            public static void Lonely() { }
        }
        """;

    [Test]
    public void EditingBodies_WithSequenceAttributesPresent_KeepsEveryStepCached()
    {
        string edited = IncrementalSource
            .Replace("var step = 1;", "var step = 10;", StringComparison.Ordinal)
            .Replace("var step = 2;", "var step = 20;", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(IncrementalSource));

        GeneratorRunResult second = RunEdited(IncrementalSource, edited);

        AssertEveryStepCachedAndFreeOfSymbols(second);
        Assert.That(Reasons(second, TrackingNames.TaskModels), Has.Some.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(second.Diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "ORCH0024", "ORCH0022", "ORCH0026" }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("ForEach = static host => global::Web.Sites(host),"));
    }
}
