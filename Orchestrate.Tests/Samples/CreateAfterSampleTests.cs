using Orchestrate.Tests.EndToEnd;

namespace Orchestrate.Tests.Samples;

/// <summary>
/// samples/CreateAfter, built once with <c>dotnet build</c> and run as a user runs it, each test in a project directory
/// of its own (<c>-C</c>): sub-tasks created after another task, a target only the regex knows, and calculated deps.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CreateAfterSampleTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);
    private static readonly string[] Outputs = ["data/a.out", "data/b.out", "data/c.out"];

    private string _sample = "";
    private string _dll = "";
    private string _project = "";

    [OneTimeSetUp]
    public async Task BuildTheSample()
    {
        _sample = Path.Combine(Shell.RepositoryRoot(), "samples", "CreateAfter");
        var (code, output) = await Shell.RunAsync("dotnet", ["build", _sample, "-nologo", "-v", "quiet"], _sample, BuildTimeout);
        Assert.That(code, Is.EqualTo(0), $"samples/CreateAfter must build:\n{output}");
        _dll = Path.Combine(_sample, "bin", "Debug", "net10.0", "CreateAfter.dll");
    }

    [SetUp]
    public void CreateAProjectDirectory()
    {
        _project = Directory.CreateTempSubdirectory("orchestrate-create-after-").FullName;
        File.Copy(Path.Combine(_sample, "names.txt"), Path.Combine(_project, "names.txt"));
    }

    [TearDown]
    public void RemoveTheProjectDirectory() => Directory.Delete(_project, recursive: true);

    [Test]
    public async Task FirstRun_MakesEveryOutAndTheSummary_AndASecondRunRunsNothing()
    {
        var report = Path.Combine(_project, "report.json");
        var (code, output) = await Run("--report", report);

        Assert.That(code, Is.EqualTo(0), output);
        foreach (var name in new[] { "a", "b", "c" })
        {
            Assert.That(output, Does.Contain($"ok convert:{name}.in"), output);
            Assert.That(Read($"data/{name}.out"), Is.EqualTo($"{name.ToUpperInvariant()}: GENERATED INPUT\n"));
        }

        Assert.That(output.IndexOf("ok generate", StringComparison.Ordinal), Is.LessThan(output.IndexOf("-> convert:", StringComparison.Ordinal)), output);
        Assert.That(output.IndexOf("ok find-outputs", StringComparison.Ordinal), Is.LessThan(output.IndexOf("-> summary", StringComparison.Ordinal)), output);
        Assert.That(Read("data/summary.txt"), Is.EqualTo("A: GENERATED INPUT\nB: GENERATED INPUT\nC: GENERATED INPUT\n"));
        // generate, the three sub-tasks, find-outputs, summary: the sub-tasks count like any task.
        Assert.That(Summary(output), Does.StartWith("done: 6 tasks in ").And.EndWith(": 6 succeeded"));
        using (var json = System.Text.Json.JsonDocument.Parse(Read("report.json")))
        {
            var tasks = json.RootElement.GetProperty("tasks").EnumerateArray().ToList();
            Assert.That(tasks.Select(t => t.GetProperty("name").GetString()),
                Is.EqualTo(new[] { "generate", "convert:a.in", "convert:b.in", "convert:c.in", "convert", "find-outputs", "summary" }));
            Assert.That(tasks.Where(t => t.GetProperty("name").GetString()!.StartsWith("convert:", StringComparison.Ordinal)).Select(t => t.GetProperty("status").GetString()),
                Is.All.EqualTo("succeeded"));
            Assert.That(json.RootElement.GetProperty("counts").GetProperty("succeeded").GetInt32(), Is.EqualTo(6));
        }

        var (again, secondOutput) = await Run();
        Assert.That(again, Is.EqualTo(0), secondOutput);
        Assert.That(Summary(secondOutput), Does.StartWith("done: 6 tasks in ").And.EndWith(": 6 up to date"));
        Assert.That(secondOutput, Does.Not.Contain("-> "), "nothing runs: " + secondOutput);
        Assert.That(secondOutput, Does.Contain("-- convert:b.in (up to date)"));
        Assert.That(secondOutput, Does.Contain("-- summary (up to date)"));
    }

    [Test]
    public async Task NamingDataBOut_RunsGenerateThenOnlyTheSubTaskThatMakesIt()
    {
        var (code, output) = await Run("data/b.out");

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("ok generate"));
        Assert.That(output, Does.Contain("ok convert:b.in"));
        Assert.That(output, Does.Not.Contain("convert:a.in").And.Not.Contain("convert:c.in").And.Not.Contain("summary"));
        Assert.That(File.Exists(Path.Combine(_project, "data", "b.out")), Is.True);
        Assert.That(Outputs.Where(o => File.Exists(Path.Combine(_project, o))), Is.EqualTo(new[] { "data/b.out" }));
        Assert.That(File.Exists(Path.Combine(_project, "data", "a.in")), Is.True, "generate made every input");
    }

    [Test]
    public async Task ANewInFile_GetsItsOwnSubTask_AndJoinsTheSummary()
    {
        var (first, output) = await Run();
        Assert.That(first, Is.EqualTo(0), output);

        // A file dropped next to what Generate wrote: Generate is up to date, Convert still sees it.
        File.WriteAllText(Path.Combine(_project, "data", "dropped.in"), "dropped by hand\n");
        var (code, second) = await Run();

        Assert.That(code, Is.EqualTo(0), second);
        Assert.That(second, Does.Contain("-- generate (up to date)"));
        Assert.That(second, Does.Contain("-> convert:dropped.in (never ran)"));
        Assert.That(second, Does.Contain("-- convert:a.in (up to date)"));
        Assert.That(second, Does.Contain("-> summary (data/dropped.out added)"), "the calculated deps changed");
        Assert.That(Read("data/dropped.out"), Is.EqualTo("DROPPED BY HAND\n"));
        Assert.That(Read("data/summary.txt"), Does.EndWith("DROPPED BY HAND\n"));

        // A name added to names.txt: Generate runs again and writes d.in, which gets its sub-task.
        File.AppendAllText(Path.Combine(_project, "names.txt"), "d\n");
        var (third, thirdOutput) = await Run();

        Assert.That(third, Is.EqualTo(0), thirdOutput);
        Assert.That(thirdOutput, Does.Contain("-> generate (names.txt changed)"));
        Assert.That(thirdOutput, Does.Contain("-> convert:d.in (never ran)"));
        Assert.That(thirdOutput, Does.Contain("-- convert:b.in (up to date)"), "b.in was rewritten with the same content");
        Assert.That(Read("data/d.out"), Is.EqualTo("D: GENERATED INPUT\n"));
        Assert.That(Read("data/summary.txt"), Does.Contain("D: GENERATED INPUT"));
    }

    private Task<(int ExitCode, string Output)> Run(params string[] args) =>
        Shell.RunAsync("dotnet", [_dll, "-C", _project, "--no-live", .. args], _project, RunTimeout);

    private static string Summary(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("done: ", StringComparison.Ordinal) || l.StartsWith("failed: ", StringComparison.Ordinal));

    private string Read(string path) => File.ReadAllText(Path.Combine(_project, path));
}
