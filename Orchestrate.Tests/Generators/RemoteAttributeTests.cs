using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Orchestrate.Generators;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

/// <summary>[Hosts], [Barrier], [RemoteStep], [Ship], [Fetch] and [RemoteTargets]: the catalog and ORCH0012-ORCH0015.</summary>
[TestFixture]
public sealed class RemoteAttributeTests
{
    private const string Sample = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Orchestrate;

        namespace Sample.Fleet
        {
            public static class Deploy
            {
                [Task, Hosts("web*,!web3"), Barrier]
                [RemoteStep("systemctl stop app", User = "root", Sudo = true, TimeoutSeconds = 30, AllowedExitCodes = new[] { 0, 3 }, WorkingDirectory = "/srv")]
                [RemoteStep("echo {host} {{literal}} {port} {app.name-2}")]
                [RemoteStep(command: "uptime", AllowedExitCodes = new int[] { })]
                [Ship("dist/*.tar.gz", "/srv/app"), Ship("conf/app.conf", "/etc/app")]
                [Fetch("/var/log/app.log", "logs/{host}")]
                [RemoteTargets("/srv/app/current", "/etc/app/app.conf"), RemoteTargets("/srv/app/ready")]
                [Targets("logs/{host}/app.log")]
                public static Task Site(RemoteContext ctx) => Task.CompletedTask;

                [Task, Hosts("db")]
                public static void Db(TaskContext ctx, CancellationToken ct) { }

                [Task, FileDep("src/a.c"), Targets("obj/a.o")]
                public static void Local() { }
            }
        }
        """;

    private const string HelpLink = DiagnosticsHelpLink;

    [Test]
    public void HostTask_WithEveryAttribute_IsEmittedInDeclarationOrder_AndCompilesWithoutWarnings()
    {
        GenerationResult result = Run(Parse(Sample));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "sample itself compiles");
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);

        string source = result.GeneratedSource!;
        Assert.That(source, Does.Contain("""
                        new global::Orchestrate.TaskDescriptor
                        {
                            Name = "site",
                            Method = "Deploy.Site",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { },
                            Targets = new string[] { "logs/{host}/app.log" },
                            CreateAfter = null,
                            Hosts = "web*,!web3",
                            IsBarrier = true,
                            RemoteSteps = new global::Orchestrate.RemoteStepSpec[] { new global::Orchestrate.RemoteStepSpec("systemctl stop app") { User = "root", Sudo = true, Timeout = global::System.TimeSpan.FromSeconds(30), AllowedExitCodes = new int[] { 0, 3 }, WorkingDirectory = "/srv" }, new global::Orchestrate.RemoteStepSpec("echo {host} {{literal}} {port} {app.name-2}"), new global::Orchestrate.RemoteStepSpec("uptime") { AllowedExitCodes = new int[] { } } },
                            Ships = new global::Orchestrate.ShipSpec[] { new("dist/*.tar.gz", "/srv/app"), new("conf/app.conf", "/etc/app") },
                            Fetches = new global::Orchestrate.FetchSpec[] { new("/var/log/app.log", "logs/{host}") },
                            RemoteTargets = new string[] { "/srv/app/current", "/etc/app/app.conf", "/srv/app/ready" },
                            IsDefault = false,
                            ServiceType = null,
                            Invoke = static async invocation => { await global::Sample.Fleet.Deploy.Site((global::Orchestrate.RemoteContext)invocation.Context); return null; },
                        },
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain("""
                            Name = "db",
                            Method = "Deploy.Db",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = null,
                            Hosts = "db",
                            IsDefault = false,
                            ServiceType = null,
                            Invoke = static invocation => { global::Sample.Fleet.Deploy.Db(invocation.Context, invocation.CancellationToken); return new global::System.Threading.Tasks.ValueTask<object?>((object?)null); },
            """.Replace("\r\n", "\n")));
        Assert.That(source, Does.Contain("""
                            Name = "local",
                            Method = "Deploy.Local",
                            Doc = null,
                            DependsOn = new string[] { },
                            FileDeps = new string[] { "src/a.c" },
                            Targets = new string[] { "obj/a.o" },
                            CreateAfter = null,
                            IsDefault = false,
            """.Replace("\r\n", "\n")), "a local task's descriptor leaves every remote member out");
    }

    [Test]
    public void EmittedCatalog_Executes_AndHoldsTheSpecs()
    {
        GenerationResult result = Run(Parse(Sample));
        WithEmittedCatalog(result, "remote-attribute-test", (_, descriptors) =>
        {

            TaskDescriptor site = descriptors.Single(d => d.Name == "site");
            Assert.That(site.Hosts, Is.EqualTo("web*,!web3"));
            Assert.That(site.IsBarrier, Is.True);
            Assert.That(site.Targets, Is.EqualTo(new[] { "logs/{host}/app.log" }));
            Assert.That(site.RemoteSteps.Select(s => s.Command), Is.EqualTo(new[] { "systemctl stop app", "echo {host} {{literal}} {port} {app.name-2}", "uptime" }));

            RemoteStepSpec stop = site.RemoteSteps[0];
            Assert.That(stop.User, Is.EqualTo("root"));
            Assert.That(stop.Sudo, Is.True);
            Assert.That(stop.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(stop.AllowedExitCodes, Is.EqualTo(new[] { 0, 3 }));
            Assert.That(stop.WorkingDirectory, Is.EqualTo("/srv"));

            RemoteStepSpec echo = site.RemoteSteps[1];
            Assert.That(echo.User, Is.Null);
            Assert.That(echo.Sudo, Is.False);
            Assert.That(echo.Timeout, Is.Null, "no TimeoutSeconds: no limit");
            Assert.That(echo.AllowedExitCodes, Is.EqualTo(new[] { 0 }), "the default");
            Assert.That(echo.WorkingDirectory, Is.Null);
            Assert.That(site.RemoteSteps[2].AllowedExitCodes, Is.Empty, "as written");

            Assert.That(site.Ships, Is.EqualTo(new[] { new ShipSpec("dist/*.tar.gz", "/srv/app"), new ShipSpec("conf/app.conf", "/etc/app") }));
            Assert.That(site.Fetches, Is.EqualTo(new[] { new FetchSpec("/var/log/app.log", "logs/{host}") }));
            Assert.That(site.RemoteTargets, Is.EqualTo(new[] { "/srv/app/current", "/etc/app/app.conf", "/srv/app/ready" }));

            TaskDescriptor db = descriptors.Single(d => d.Name == "db");
            Assert.That(db.Hosts, Is.EqualTo("db"));
            Assert.That(db.IsBarrier, Is.False);
            Assert.That(db.RemoteSteps, Is.Empty);
            Assert.That(db.Ships, Is.Empty);
            Assert.That(db.Fetches, Is.Empty);
            Assert.That(db.RemoteTargets, Is.Empty);

            TaskDescriptor local = descriptors.Single(d => d.Name == "local");
            Assert.That(local.Hosts, Is.Null);
            Assert.That(local.IsBarrier, Is.False);
            Assert.That(local.RemoteSteps, Is.Empty);
            Assert.That(local.RemoteTargets, Is.Empty);
        });
    }

    [TestCase("Barrier", "[Barrier]")]
    [TestCase("RemoteStep", "[RemoteStep(\"uptime\")]")]
    [TestCase("Ship", "[Ship(\"dist/app.tgz\", \"/srv\")]")]
    [TestCase("Fetch", "[Fetch(\"/var/log/app.log\", \"logs\")]")]
    [TestCase("RemoteTargets", "[RemoteTargets(\"/srv/app\")]")]
    public void RemoteAttribute_WithoutHosts_IsORCH0012_OnTheAttribute(string name, string attribute)
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task]
                ATTRIBUTE
                public static void Site() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        Diagnostic diagnostic = result.Diagnostics.Single();
        AssertDiagnostic(diagnostic, "ORCH0012", source, attribute, 1,
            $"Task 'site' has [{name}], which only a host task can have, but it has no [Hosts]. Add [Hosts(\"group\")] to say where it runs, or remove [{name}].");
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void EveryRemoteAttribute_WithoutHosts_IsReportedWhereItIsWritten()
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, RemoteStep("a"), RemoteStep("b")]
                [Barrier]
                public static void Site() { }

                [Task, Hosts("web"), RemoteStep("c"), Barrier]
                public static void Fine(RemoteContext ctx) { }
            }
            """;
        IReadOnlyList<Diagnostic> diagnostics = Run(source, withUsings: false).Diagnostics;
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0012", "ORCH0012", "ORCH0012" }));
        AssertDiagnostic(diagnostics[0], "ORCH0012", source, "RemoteStep(\"a\")", 0, null);
        AssertDiagnostic(diagnostics[1], "ORCH0012", source, "RemoteStep(\"b\")", 0, null);
        AssertDiagnostic(diagnostics[2], "ORCH0012", source, "Barrier]", 0, null);
    }

    [Test]
    public void RemoteContextParameter_WithoutHosts_IsORCH0013_OnTheParameter()
    {
        string source = Usings + """
            public abstract class WebContext : RemoteContext { }

            public static class Deploy
            {
                [Task]
                public static Task Site(CancellationToken ct, RemoteContext remote) => Task.CompletedTask;

                [Task]
                public static void Web(WebContext web) { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0013", "ORCH0013" }));
        AssertDiagnostic(result.Diagnostics[0], "ORCH0013", source, "RemoteContext remote", 0,
            "Parameter 'remote' of task 'site' has type 'Orchestrate.RemoteContext', which only a host task gets, but the task has no [Hosts]. Add [Hosts(\"group\")] to say where it runs, or take a TaskContext.");
        AssertDiagnostic(result.Diagnostics[1], "ORCH0013", source, "WebContext web", 0,
            "Parameter 'web' of task 'web' has type 'WebContext', which only a host task gets, but the task has no [Hosts]. Add [Hosts(\"group\")] to say where it runs, or take a TaskContext.");
    }

    [Test]
    public void RemoteContextParameter_OfAHostTask_IsCastFromTheContext()
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, Hosts("web")]
                public static Task<int> Site(RemoteContext remote, CancellationToken ct) => Task.FromResult(1);
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedSource, Does.Contain(
            "Invoke = static async invocation => (object?)(await global::Deploy.Site((global::Orchestrate.RemoteContext)invocation.Context, invocation.CancellationToken)),"));
    }

    [TestCase("[Hosts(\"\")]", "\"\"", "host pattern", "Hosts", "it is empty", "Name a host, a group or a pattern such as \"web*\".")]
    [TestCase("[Hosts(\"  \")]", "\"  \"", "host pattern", "Hosts", "it is only whitespace", "Name a host, a group or a pattern such as \"web*\".")]
    [TestCase("[Hosts(null!)]", "null!", "host pattern", "Hosts", "it is null", "Name a host, a group or a pattern such as \"web*\".")]
    [TestCase("[Hosts(\"web\"), RemoteStep(\" \\t\")]", "\" \\t\"", "command", "RemoteStep", "it is only whitespace", "Give the command line to run on each host.")]
    [TestCase("[Hosts(\"web\"), RemoteStep(command: \"\", Sudo = true)]", "\"\"", "command", "RemoteStep", "it is empty", "Give the command line to run on each host.")]
    [TestCase("[Hosts(\"web\"), RemoteStep(\"uptime\", TimeoutSeconds = -5)]", "TimeoutSeconds = -5", "timeout", "RemoteStep", "TimeoutSeconds is -5", "Set TimeoutSeconds to a positive number of seconds, or 0 for no limit.")]
    [TestCase("[Hosts(\"web\"), Ship(\"\", \"/srv\")]", "\"\"", "local path", "Ship", "it is empty", "Give the local file or glob to send, relative to the project directory.")]
    [TestCase("[Hosts(\"web\"), Ship(\"dist\", \" \")]", "\" \"", "remote directory", "Ship", "it is only whitespace", "Give the directory on the host to send the files into.")]
    [TestCase("[Hosts(\"web\"), Fetch(\"\", \"logs\")]", "\"\"", "remote path", "Fetch", "it is empty", "Give the path of the file on the host.")]
    [TestCase("[Hosts(\"web\"), Fetch(\"/var/log/x\", \"\")]", "\"\"", "local directory", "Fetch", "it is empty", "Give the local directory to bring the file into, such as \"logs/{host}\".")]
    public void EmptyValueOrNegativeTimeout_IsORCH0014_OnTheArgument(string attribute, string argument, string what, string name, string problem, string fix)
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task]
                ATTRIBUTE
                public static void Site() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        Diagnostic diagnostic = result.Diagnostics.Single();
        AssertDiagnostic(diagnostic, "ORCH0014", source, attribute, attribute.LastIndexOf(argument, StringComparison.Ordinal),
            $"Task 'site' has an invalid {what} in [{name}]: {problem}. {fix}");
        Assert.That(result.GeneratedFileDiagnostics, Is.Empty);
        if (name != "Hosts")
        {
            Assert.That(result.GeneratedSource, Does.Not.Contain("new global::Orchestrate." + name), "the invalid value is left out of the catalog");
        }
    }

    [TestCase("[RemoteStep(\"echo {host\")]", "command", "echo {host", "RemoteStep", "the '{' at character 6 is never closed")]
    [TestCase("[RemoteStep(\"echo {a {b}\")]", "command", "echo {a {b}", "RemoteStep", "the '{' at character 6 is never closed")]
    [TestCase("[RemoteStep(\"echo host}\")]", "command", "echo host}", "RemoteStep", "the '}' at character 10 closes no '{'")]
    [TestCase("[RemoteStep(\"echo {{x}\")]", "command", "echo {{x}", "RemoteStep", "the '}' at character 9 closes no '{'")]
    [TestCase("[RemoteStep(\"echo {}\")]", "command", "echo {}", "RemoteStep", "'{}' at character 6 names no variable")]
    [TestCase("[RemoteStep(\"echo {1st}\")]", "command", "echo {1st}", "RemoteStep", "'{1st}' at character 6 is not a variable name (a letter or '_', then letters, digits, '_', '.' or '-')")]
    [TestCase("[RemoteStep(\"echo { host }\")]", "command", "echo { host }", "RemoteStep", "'{ host }' at character 6 is not a variable name (a letter or '_', then letters, digits, '_', '.' or '-')")]
    [TestCase("[Ship(\"dist/{ver\", \"/srv\")]", "local path", "dist/{ver", "Ship", "the '{' at character 6 is never closed")]
    [TestCase("[Ship(\"dist\", \"/srv/}\")]", "remote directory", "/srv/}", "Ship", "the '}' at character 6 closes no '{'")]
    [TestCase("[Fetch(\"/var/{log\", \"logs\")]", "remote path", "/var/{log", "Fetch", "the '{' at character 6 is never closed")]
    [TestCase("[Fetch(\"/var/log\", \"logs/{host}}\")]", "local directory", "logs/{host}}", "Fetch", "the '}' at character 12 closes no '{'")]
    public void MalformedPlaceholder_IsORCH0015_OnTheArgument(string attribute, string what, string value, string name, string problem)
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, Hosts("web")]
                ATTRIBUTE
                public static void Site() { }
            }
            """.Replace("ATTRIBUTE", attribute, StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        Diagnostic diagnostic = result.Diagnostics.Single();
        AssertDiagnostic(diagnostic, "ORCH0015", source, attribute, attribute.IndexOf("\"" + value + "\"", StringComparison.Ordinal),
            $"Task 'site' has a malformed placeholder in the {what} \"{value}\" of [{name}]: {problem}. Write {{name}} for a host variable, and {{{{ or }}}} for a literal brace.");
        Assert.That(result.GeneratedSource, Does.Not.Contain("new global::Orchestrate." + name).And.Not.Contain("new(\""), "the invalid value is left out of the catalog");
    }

    [TestCase("echo {host} {address} {port}")]
    [TestCase("echo {{}} {{literal}} {{{host}}}")]
    [TestCase("cd {_dir.name-2} && ls")]
    [TestCase("awk '{{print $1}}' {file}")]
    [TestCase("no placeholders")]
    public void WellFormedPlaceholders_AreFine_WhateverTheirNames(string command)
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, Hosts("web"), RemoteStep(COMMAND), Ship(COMMAND, COMMAND), Fetch(COMMAND, COMMAND)]
                public static void Site() { }
            }
            """.Replace("COMMAND", "\"" + command + "\"", StringComparison.Ordinal);
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedSource, Does.Contain("new global::Orchestrate.RemoteStepSpec(\"" + command + "\")"));
    }

    [Test]
    public void NonPlaceholderValues_AreNotCheckedForBraces()
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, Hosts("web{"), RemoteStep("ls", User = "{u", WorkingDirectory = "/srv/}"), RemoteTargets("/srv/{x")]
                public static void Site() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
    }

    [Test]
    public void HostTemplatedTargets_OfAHostTask_DoNotClashWithALocalTask()
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, Hosts("web"), Targets("logs/{host}/app.log")]
                public static void Collect() { }

                [Task, Targets("logs/{host}/app.log")]
                public static void Local() { }

                [Task, Hosts("web"), FileDep("./logs/{host}/app.log"), Targets("out/{host}")]
                public static void Report() { }

                [Task, FileDep("out/{host}")]
                public static void Summary() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics, Is.Empty);
    }

    [Test]
    public void HostTemplatedTargets_OfTwoHostTasks_StillClash()
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, Hosts("web"), Targets("logs/{host}/app.log")]
                public static void Collect() { }

                [Task, Hosts("db"), Targets("./logs/{host}/app.log")]
                public static void Gather() { }

                [Task, Hosts("db"), Targets("logs/{{host}}/x")]
                public static void Escaped() { }

                [Task, Targets("logs/{{host}}/x")]
                public static void LocalEscaped() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0004", "ORCH0004", "ORCH0004", "ORCH0004" }));
        Diagnostic collect = result.Diagnostics.Single(d => d.GetMessage().StartsWith("Target './logs", StringComparison.Ordinal));
        Assert.That(collect.GetMessage(), Is.EqualTo(
            "Target './logs/{host}/app.log' of task 'gather' is also a target of task 'collect'. A file can be created by only one task: remove it from the [Targets] of all but one of them."));
        Assert.That(collect.Line(), Is.EqualTo(LineOf(source, "Targets(\"./logs/{host}/app.log\")")));
        Assert.That(result.Diagnostics.Count(d => d.GetMessage().Contains("'logs/{{host}}/x'", StringComparison.Ordinal)), Is.EqualTo(2),
            "{{host}} is a literal brace, not the host");
    }

    [Test]
    public void HostTemplatedFileDep_OfAHostTask_IsAnEdgeToTheHostTaskThatMakesIt()
    {
        string source = Usings + """
            public static class Deploy
            {
                [Task, Hosts("web"), FileDep("state/{host}"), Targets("logs/{host}")]
                public static void Collect() { }

                [Task, Hosts("web"), FileDep("logs/{host}"), Targets("state/{host}")]
                public static void Report() { }
            }
            """;
        GenerationResult result = Run(source, withUsings: false);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0001", "ORCH0001" }));
        Assert.That(result.Diagnostics[0].GetMessage(), Is.EqualTo(
            "Task 'collect' is part of a dependency cycle: collect -> report (file dep 'state/{host}' is a target of 'report') -> collect (file dep 'logs/{host}' is a target of 'collect'). Remove one of these dependencies."));
    }

    [Test]
    public void NewDiagnostics_AreErrorsWithTheSharedHelpLink()
    {
        DiagnosticDescriptor[] descriptors =
        {
            DiagnosticDescriptors.RemoteAttributeWithoutHosts, DiagnosticDescriptors.RemoteContextWithoutHosts,
            DiagnosticDescriptors.InvalidRemoteValue, DiagnosticDescriptors.MalformedPlaceholder,
        };
        Assert.That(descriptors.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0012", "ORCH0013", "ORCH0014", "ORCH0015" }));
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.That(descriptor.DefaultSeverity, Is.EqualTo(DiagnosticSeverity.Error), descriptor.Id);
            Assert.That(descriptor.IsEnabledByDefault, Is.True, descriptor.Id);
            Assert.That(descriptor.Category, Is.EqualTo("Orchestrate"), descriptor.Id);
            Assert.That(descriptor.HelpLinkUri, Is.EqualTo(HelpLink), descriptor.Id);
        }
    }

    private const string IncrementalSource = Usings + """
        public static class Deploy
        {
            [Task, Hosts("web*"), Barrier, RemoteStep("systemctl restart app", Sudo = true, TimeoutSeconds = 10, AllowedExitCodes = new[] { 0, 1 })]
            [Ship("dist/app.tgz", "/srv"), Fetch("/var/log/app.log", "logs/{host}"), RemoteTargets("/srv/app"), Targets("logs/{host}/app.log")]
            public static async Task Site(RemoteContext ctx)
            {
                await ctx.Shell("uptime");
            }

            [Task, RemoteStep("echo {oops"), DependsOn("Tset")]
            public static void Broken()
            {
                var step = 1;
            }
        }
        """;

    [Test]
    public void EditingBodies_WithRemoteAttributesPresent_KeepsEveryStepCached()
    {
        string edited = IncrementalSource
            .Replace("ctx.Shell(\"uptime\")", "ctx.Shell(\"uptime && df -h\")", StringComparison.Ordinal)
            .Replace("var step = 1;", "var step = 2;", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(IncrementalSource));

        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        AssertEveryStepCachedAndFreeOfSymbols(second);

        Assert.That(Reasons(second, TrackingNames.TaskModels), Has.Some.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(second.Diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "ORCH0012", "ORCH0015", "ORCH0002" }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("Fetches = new global::Orchestrate.FetchSpec[] { new(\"/var/log/app.log\", \"logs/{host}\") },"));
    }

    [Test]
    public void AddingLinesInABody_WithRemoteDiagnostics_ReportsWhatARunFromScratchReports()
    {
        SyntaxTree tree = Parse(IncrementalSource, "Deploy.cs");
        Compilation compilation = CreateCompilation(tree);
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(compilation);
        Diagnostic[] before = driver.GetRunResult().Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();

        string text = tree.GetText().ToString();
        int at = text.IndexOf("await ctx.Shell", StringComparison.Ordinal);
        SyntaxTree edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(at, 0), "// one\n        // two\n        ")));
        Compilation next = compilation.ReplaceSyntaxTree(tree, edited);
        GeneratorRunResult incremental = driver.RunGenerators(next).GetRunResult().Results.Single();
        GeneratorRunResult scratch = CreateDriver().RunGenerators(next).GetRunResult().Results.Single();

        Diagnostic[] after = incremental.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.That(after.Select(d => d.Id), Is.EqualTo(new[] { "ORCH0012", "ORCH0015", "ORCH0002" }));
        Assert.That(after.Select(d => d.Line()), Is.EqualTo(before.Select(d => d.Line() + 2)));
        Assert.That(after.Select(d => edited.GetText().ToString(d.Location.SourceSpan)),
            Is.EqualTo(before.Select(d => tree.GetText().ToString(d.Location.SourceSpan))));
        Assert.That(Describe(incremental.Diagnostics), Is.EqualTo(Describe(scratch.Diagnostics)));
        Assert.That(incremental.GeneratedSources.Select(s => s.SourceText.ToString()),
            Is.EqualTo(scratch.GeneratedSources.Select(s => s.SourceText.ToString())));
        Assert.That(Reasons(incremental, TrackingNames.TaskSpecs), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void ChangingARemoteAttribute_ModifiesTheCatalog()
    {
        string edited = IncrementalSource.Replace("TimeoutSeconds = 10", "TimeoutSeconds = 20", StringComparison.Ordinal);
        GeneratorRunResult second = RunEdited(IncrementalSource, edited);
        Assert.That(Reasons(second, TrackingNames.Catalog), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
        Assert.That(second.GeneratedSources.Single().SourceText.ToString(), Does.Contain("Timeout = global::System.TimeSpan.FromSeconds(20)"));
    }

    private static string[] Describe(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics
            .Select(d => $"{d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} @ {d.Location.GetLineSpan()}")
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToArray();
}
