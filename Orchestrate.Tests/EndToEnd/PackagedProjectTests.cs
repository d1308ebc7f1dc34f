using System.Diagnostics;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.EndToEnd;

/// <summary>
/// What a user does: pack Orchestrate, reference the packages from a local folder in a fresh console
/// project outside the solution, build it (the generator runs from the package), and run it.
/// </summary>
[TestFixture]
[NonParallelizable]
public class PackagedProjectTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    private string _root = "";
    private string _feed = "";
    private string _version = "";
    private string _app = "";
    private string _appDll = "";

    [OneTimeSetUp]
    public async Task PackAndBuildAConsumer()
    {
        _root = Directory.CreateTempSubdirectory("orchestrate-e2e-").FullName;
        _feed = Path.Combine(_root, "feed");
        // A version of its own, so that the machine's package cache never serves an older build.
        _version = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var repo = Shell.RepositoryRoot();
        foreach (var project in new[] { "Orchestrate.Abstractions", "Orchestrate.Runtime" })
        {
            var (code, output) = await Shell.RunAsync("dotnet", ["pack", Path.Combine(repo, project), "-c", "Release", "-o", _feed, $"-p:Version={_version}"], repo, BuildTimeout);
            Assert.That(code, Is.EqualTo(0), $"dotnet pack {project} failed:\n{output}");
        }

        _app = CreateConsumer("app", Tasks);
        var (buildCode, buildOutput) = await Build(_app);
        Assert.That(buildCode, Is.EqualTo(0), $"the consumer project must build:\n{buildOutput}");
        _appDll = Path.Combine(_app, "bin", "Debug", "net10.0", "app.dll");
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Test]
    public void The_package_carries_the_generator_as_an_analyzer()
    {
        var package = Path.Combine(_feed, $"Orchestrate.{_version}.nupkg");
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("analyzers/dotnet/cs/Orchestrate.Generators.dll"));
        Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("buildTransitive/Orchestrate.targets"));
    }

    [Test]
    public async Task The_built_program_runs_its_tasks_in_order_from_the_project_directory()
    {
        // Started from another directory: paths are still taken from the project directory.
        var (code, output) = await Shell.RunAsync("dotnet", [_appDll, "show"], _root, TimeSpan.FromMinutes(1));

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("-> greet"));
        Assert.That(output, Does.Match(@"show +\| hello from a packaged build"));
        Assert.That(output.IndexOf("ok greet", StringComparison.Ordinal), Is.LessThan(output.IndexOf("-> show", StringComparison.Ordinal)));
        Assert.That(File.ReadAllText(Path.Combine(_app, "out", "greeting.txt")).Trim(), Is.EqualTo("hello from a packaged build"));
    }

    [Test]
    public async Task List_shows_generated_names_and_docs()
    {
        var (code, output) = await Shell.RunAsync("dotnet", [_appDll, "list"], _app, TimeSpan.FromMinutes(1));

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("greet"));
        Assert.That(output, Does.Contain("Write the greeting file"));
        Assert.That(output, Does.Contain("say-hello"));
    }

    [Test]
    public async Task An_instance_task_gets_its_logger_from_dependency_injection()
    {
        var (code, output) = await Shell.RunAsync("dotnet", [_appDll, "say-hello"], _app, TimeSpan.FromMinutes(1));

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("say-hello | hello through ILogger"));
    }

    [Test]
    public async Task Exit_codes_tell_failure_and_usage_errors_apart()
    {
        var (failCode, failOutput) = await Shell.RunAsync("dotnet", [_appDll, "fail"], _app, TimeSpan.FromMinutes(1));
        var (unknownCode, unknownOutput) = await Shell.RunAsync("dotnet", [_appDll, "greeet"], _app, TimeSpan.FromMinutes(1));

        Assert.That(failCode, Is.EqualTo(1), failOutput);
        Assert.That(failOutput, Does.Contain("exited with code 4"));
        Assert.That(failOutput, Does.Contain("    broken on purpose"));
        Assert.That(unknownCode, Is.EqualTo(2), unknownOutput);
        Assert.That(unknownOutput, Does.Contain("error: unknown task 'greeet'. Did you mean 'greet'?"));
        Assert.That(unknownOutput, Does.Not.Contain("   at "), "no stack trace for a user mistake");
    }

    [Test]
    public async Task Ctrl_c_cancels_running_tasks_kills_their_processes_and_exits_130()
    {
        var pidFile = Path.Combine(_app, "serve.pid");
        File.Delete(pidFile);
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _app, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add(_appDll);
        info.ArgumentList.Add("serve");
        using var app = Process.Start(info)!;
        var stdout = app.StandardOutput.ReadToEndAsync();
        var stderr = app.StandardError.ReadToEndAsync();

        var sleeper = await SchedulingTests.WaitForPidAsync(pidFile);
        Assert.That(SchedulingTests.ProcessAlive(sleeper), Is.True);
        using (var kill = Process.Start("kill", ["-INT", app.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.WaitForExitAsync(deadline.Token);

        Assert.That(app.ExitCode, Is.EqualTo(130), await stdout + await stderr);
        Assert.That(SchedulingTests.ProcessAlive(sleeper), Is.False, "the task's background sleep must not outlive the run");
        Assert.That(await stderr, Does.Contain("cancelling"));
    }

    [Test]
    public async Task A_cycle_fails_the_build_with_its_id_at_the_attribute_line()
    {
        var project = CreateConsumer("cyclic", """
            using System.Threading.Tasks;
            using Orchestrate;

            public static class Cyclic
            {
                [Task, DependsOn(nameof(B))]
                public static Task A(TaskContext ctx) => Task.CompletedTask;

                [Task, DependsOn(nameof(A))]
                public static Task B(TaskContext ctx) => Task.CompletedTask;
            }
            """);

        var (code, output) = await Build(project);

        Assert.That(code, Is.Not.EqualTo(0), output);
        var tasksFile = Path.Combine(project, "Tasks.cs");
        Assert.That(output, Does.Contain($"{tasksFile}(6,12): error ORCH0001"), output);
        Assert.That(output, Does.Contain($"{tasksFile}(9,12): error ORCH0001"), output);
        Assert.That(output, Does.Contain("a -> b -> a"));
    }

    [Test]
    public async Task The_READMEs_first_project_builds_from_the_packages_and_runs()
    {
        var files = Docs.ReadmeCodeTests.FirstProject();
        var project = CreateConsumer("first", files["Tasks.cs"], files["Program.cs"]);
        Directory.CreateDirectory(Path.Combine(project, "src"));
        File.WriteAllText(Path.Combine(project, "src", "hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
        var (buildCode, buildOutput) = await Build(project);
        Assert.That(buildCode, Is.EqualTo(0), buildOutput);
        var dll = Path.Combine(project, "bin", "Debug", "net10.0", "first.dll");

        var (linkCode, link) = await Shell.RunAsync("dotnet", [dll, "link"], project, TimeSpan.FromMinutes(1));
        var (againCode, again) = await Shell.RunAsync("dotnet", [dll, "link"], project, TimeSpan.FromMinutes(1));
        var (announceCode, announce) = await Shell.RunAsync("dotnet", [dll, "announce"], project, TimeSpan.FromMinutes(1));

        Assert.That(linkCode, Is.EqualTo(0), link);
        Assert.That(link, Does.Contain("-> compile").And.Contain("-> link"));
        Assert.That(File.Exists(Path.Combine(project, "bin", "hello")), Is.True);
        Assert.That(againCode, Is.EqualTo(0), again);
        Assert.That(again, Does.Not.Contain("->"), "the second run has nothing to do");
        Assert.That(announceCode, Is.EqualTo(0), announce);
        Assert.That(announce, Does.Contain("announce | bin/hello is built"));
    }

    private const string Tasks = """
        using System.IO;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;
        using Orchestrate;

        public static class Tasks
        {
            /// <summary>Write the greeting file</summary>
            [Task, Targets("out/greeting.txt")]
            public static Task Greet(TaskContext ctx)
            {
                Directory.CreateDirectory(Path.Combine(ctx.ProjectDirectory, "out"));
                return ctx.Shell("echo 'hello from a packaged build' > out/greeting.txt");
            }

            [Task(Doc = "Print the greeting"), FileDep("out/greeting.txt")]
            public static Task Show(TaskContext ctx) => ctx.Run("cat", "out/greeting.txt");

            [Task]
            public static Task Fail(TaskContext ctx) => ctx.Shell("echo 'broken on purpose' >&2; exit 4");

            [Task]
            public static Task Serve(TaskContext ctx) => ctx.Shell("sleep 60 & echo $! > serve.pid; wait");
        }

        public class Greeter(ILogger<Greeter> log)
        {
            [Task]
            public void SayHello() => log.LogInformation("hello through ILogger");
        }
        """;

    private string CreateConsumer(string name, string tasks, string program = "return await Orchestrate.Orchestrator.RunAsync(args);\n")
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="orchestrate-local" value="{_feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, $"{name}.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Orchestrate" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
        File.WriteAllText(Path.Combine(dir, "Tasks.cs"), tasks);
        return dir;
    }

    private static Task<(int ExitCode, string Output)> Build(string project) =>
        Shell.RunAsync("dotnet", ["build", project, "-nologo", "-v", "quiet"], project, BuildTimeout);
}
