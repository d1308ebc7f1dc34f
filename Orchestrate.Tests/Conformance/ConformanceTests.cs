namespace Orchestrate.Tests.Conformance;

/// <summary>
/// Orchestrate against pydoit: each scenario is played by both tools (see <see cref="ScenarioRunner"/>), which
/// must run the same tasks at every step, and the tasks the scenario expects. Needs
/// <c>/usr/bin/python3 -m doit</c> (Debian: python3-doit); without it every scenario fails, saying so.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public class ConformanceTests
{
    private static readonly string[] Src = ["src/a.txt"];

    [TestCaseSource(nameof(Scenarios))]
    public async Task Same_tasks_run_as_with_doit(Scenario scenario) => await ScenarioRunner.CompareAsync(scenario);

    public static IEnumerable<TestCaseData> Scenarios() => All().Select(s => new TestCaseData(s).SetArgDisplayNames(s.Name));

    /// <summary>a and b compile one source each; link needs both objects.</summary>
    private static Scenario Build(string name) => new Scenario(name)
        .File("src/a.txt", "a1\n")
        .File("src/b.txt", "b1\n")
        .Task("a", fileDeps: ["src/a.txt"], targets: ["out/a.o"])
        .Task("b", fileDeps: ["src/b.txt"], targets: ["out/b.o"])
        .Task("link", fileDeps: ["out/a.o", "out/b.o"], targets: ["out/app"]);

    /// <summary>compile makes obj/a.o from src/a.txt (failing when params.broken is "true"); link makes app from it.</summary>
    private static Scenario CompileLink(string name) => new Scenario(name)
        .File("src/a.txt", "a1\n")
        .Param("broken", "false")
        .Task("compile", fileDeps: Src, targets: ["obj/a.o"], failWhen: "broken")
        .Task("link", fileDeps: ["obj/a.o"], targets: ["app"]);

    /// <summary>cc compiles every src/*.c.</summary>
    private static Scenario Glob(string name) => new Scenario(name)
        .File("src/a.c", "int a;\n")
        .File("src/b.c", "int b;\n")
        .File("src/readme.md", "docs\n")
        .Task("cc", fileDeps: ["src/*.c"], targets: ["out/all.o"]);

    private static IEnumerable<Scenario> All()
    {
        yield return Build("first run runs every task, the second none")
            .Run("", "a b link")
            .Run("", "");

        yield return Build("editing a file dep reruns its task and what its new target feeds")
            .Run("", "a b link")
            .Write("src/a.txt", "a22\n")
            .Run("", "a link")
            .Run("", "");

        yield return Build("a new mtime without new content reruns nothing (checksums)")
            .Run("", "a b link")
            .Touch("src/a.txt")
            .Touch("out/b.o")
            .Run("", "");

        yield return Build("a deleted target reruns its task; the same bytes rewritten do not rerun the next")
            .Run("", "a b link")
            .Delete("out/a.o")
            .Run("", "a")
            .Delete("out/app")
            .Run("link", "link");

        yield return new Scenario("a task with neither file deps nor up-to-date rules always runs, targets or not")
            .Task("stamp", targets: ["stamp.txt"], content: TargetContent.Fixed)
            .Task("lint")
            .Run("", "lint stamp")
            .Run("", "lint stamp");

        yield return new Scenario("a task dep orders but does not make the task out of date")
            .File("src/a.txt", "a1\n")
            .Task("gen")
            .Task("build", fileDeps: Src, targets: ["out/a"], taskDeps: ["gen"])
            .Run("build", "build gen")
            .Run("build", "gen")
            .Write("src/a.txt", "a2 changed\n")
            .Run("build", "build gen");

        yield return CompileLink("a file dep that is another task's target brings that task in, first")
            .Run("link", "compile link")
            .Run("link", "")
            .Run("compile", "")
            .Append("src/a.txt", "more\n")
            .Run("link", "compile link")
            .Append("src/a.txt", "again\n")
            .Run("compile", "compile")
            .Run("link", "link");

        yield return Glob("a glob file dep reruns when a matching file is added, not for another file")
            .Run("", "cc")
            .Write("src/readme.md", "more docs\n")
            .Run("", "")
            .Write("src/c.c", "int c;\n")
            .Run("", "cc")
            .Run("", "");

        yield return Glob("a glob file dep reruns when a matching file is removed or edited")
            .Run("", "cc")
            .Delete("src/b.c")
            .Run("", "cc")
            .Run("", "")
            .Append("src/a.c", "int a2;\n")
            .Run("", "cc");

        yield return new Scenario("run_once runs once, then again after forget or a file dep change")
            .File("setup.cfg", "v1\n")
            .Task("setup", fileDeps: ["setup.cfg"], rules: [Rule.RunOnce])
            .Task("install", rules: [Rule.RunOnce])
            .Run("", "install setup")
            .Run("", "")
            .Forget("install")
            .Run("", "install")
            .Run("", "")
            .Append("setup.cfg", "v2\n")
            .Run("", "setup");

        yield return new Scenario("config_changed reruns when the value changes, and only then")
            .Param("flags", "-O1")
            .Task("build", rules: [Rule.Config("flags")])
            .Run("", "build")
            .Run("", "")
            .Set("flags", "-O2")
            .Run("", "build")
            .Run("", "")
            .Set("flags", "-O1")
            .Run("", "build");

        yield return new Scenario("result_dep reruns when the upstream result changes, not when it is the same")
            .Param("version", "1.0")
            .Task("version", result: "version")
            .Task("package", rules: [Rule.ResultOf("version")])
            .Run("package", "package version")
            .Run("package", "version")
            .Set("version", "1.1")
            .Run("package", "package version")
            .Run("package", "version");

        yield return new Scenario("result_dep on an up-to-date upstream uses its recorded result")
            .File("src/a.txt", "a1\n")
            .Param("hash", "h1")
            .Task("hash", fileDeps: Src, result: "hash")
            .Task("deploy", rules: [Rule.ResultOf("hash")])
            .Run("deploy", "deploy hash")
            .Append("src/a.txt", "comment\n")
            .Run("deploy", "hash")
            .Set("hash", "h2")
            .Run("deploy", "")
            .Append("src/a.txt", "code\n")
            .Run("deploy", "deploy hash")
            .Run("deploy", "");

        yield return new Scenario("a custom up-to-date callable decides, with the file deps")
            .File("src/a.txt", "a1\n")
            .Param("fresh", "false")
            .Task("gen", fileDeps: Src, targets: ["gen.txt"], rules: [Rule.Custom("fresh")])
            .Run("", "gen")
            .Run("", "gen")
            .Set("fresh", "true")
            .Run("", "")
            .Append("src/a.txt", "a2\n")
            .Run("", "gen")
            .Run("", "")
            .Set("fresh", "false")
            .Run("", "gen");

        yield return new Scenario("check_timestamp_unchanged reruns on a new mtime even with the same content")
            .File("tool.bin", "tool v1\n")
            .Task("deploy", rules: [Rule.Timestamp("tool.bin")])
            .Run("", "deploy")
            .Run("", "")
            .Touch("tool.bin")
            .Run("", "deploy")
            .Run("", "");

        yield return new Scenario("timeout: a success expires after its lifetime")
            .Task("fetch", rules: [Rule.Expires(2)])
            .Run("", "fetch")
            .Run("", "")
            .Wait(2200)
            .Run("", "fetch")
            .Run("", "");

        yield return CompileLink("run --always reruns the named tasks and their dependencies, and only those")
            .Run("link", "compile link")
            .RunAlways("link", "compile link")
            .RunAlways("compile", "compile")
            .Run("link", "");

        yield return CompileLink("forget makes that task (only) run again")
            .Run("link", "compile link")
            .Forget("compile")
            .Run("link", "compile")
            .Forget("link")
            .Run("link", "link")
            .Run("link", "");

        yield return CompileLink("a failed task runs again next time, until it succeeds")
            .Set("broken", "true")
            .Run("compile", "compile", success: false)
            .Run("compile", "compile", success: false)
            .Set("broken", "false")
            .Run("compile", "compile")
            .Run("compile", "");

        yield return CompileLink("a failure drops the last success: the task reruns even with its old inputs back")
            .Run("compile", "compile")
            .Write("src/a.txt", "a2 broken\n")
            .Set("broken", "true")
            .Run("compile", "compile", success: false)
            .Write("src/a.txt", "a1\n")
            .Set("broken", "false")
            .Run("compile", "compile")
            .Run("compile", "");

        yield return CompileLink("a failing task stops what depends on it")
            .Task("package", taskDeps: ["link"], fileDeps: ["app"], targets: ["app.zip"])
            .Set("broken", "true")
            .Run("package", "compile", success: false)
            .Set("broken", "false")
            .Run("package", "compile link package")
            .Run("package", "");

        yield return CompileLink("keep going runs what a failure does not block")
            .File("docs.md", "docs\n")
            .Task("docs", fileDeps: ["docs.md"], targets: ["docs.html"])
            .Set("broken", "true")
            .RunKeepGoing("", "compile docs", success: false)
            .Set("broken", "false")
            .Run("", "compile link");

        // Without targets: doit checks targets before file deps, and runs the action of a task whose target
        // is missing even when a file dep is missing too (Orchestrate fails it without running it).
        yield return new Scenario("a missing file dep fails the task and blocks its dependents")
            .File("src/a.txt", "a1\n")
            .Task("build", fileDeps: ["src/missing.txt"])
            .Task("after", fileDeps: Src, taskDeps: ["build"], targets: ["out/after"])
            .Run("after", "", success: false)
            .Write("src/missing.txt", "here now\n")
            .Run("after", "after build")
            .Run("after", "");

        yield return new Scenario("a declared target that is never made keeps its task out of date")
            .File("src/a.txt", "a1\n")
            .Task("gen", fileDeps: Src, targets: ["out/never.txt"], content: TargetContent.None)
            .Task("ok", fileDeps: Src, targets: ["out/ok.txt"])
            .Run("", "gen ok")
            .Run("", "gen");

        yield return Build("an ignored task is skipped, named or not, until forgotten")
            .Run("", "a b link")
            .Ignore("b")
            .Append("src/a.txt", "a2\n")
            .Append("src/b.txt", "b2\n")
            .Run("a b", "a")
            .Run("b", "")
            .Forget("b")
            .Run("b", "b");

        yield return CompileLink("ignoring a task still runs what it depends on")
            .Run("link", "compile link")
            .Ignore("link")
            .Append("src/a.txt", "a2\n")
            .Run("link", "compile")
            .Forget("link")
            .Run("link", "link");

        yield return CompileLink("clean removes the named task's targets, so it runs again")
            .Run("link", "compile link")
            .Clean("link")
            .Run("link", "link")
            .Clean("compile")
            .Run("link", "compile")
            .Run("link", "");

        yield return new Scenario("several tasks on the command line run those, and only those")
            .File("a.txt", "a\n")
            .File("b.txt", "b\n")
            .File("c.txt", "c\n")
            .Task("ta", fileDeps: ["a.txt"], targets: ["a.out"])
            .Task("tb", fileDeps: ["b.txt"], targets: ["b.out"])
            .Task("tc", fileDeps: ["c.txt"], targets: ["c.out"])
            .Run("ta tc", "ta tc")
            .Run("ta tb tc", "tb")
            .Append("a.txt", "a2\n")
            .Append("c.txt", "c2\n")
            .Run("ta tb", "ta")
            .Run("tc", "tc");

        yield return new Scenario("an edit propagates down a chain only as far as contents change")
            .File("src/a.txt", "a1\n")
            .Task("gen", fileDeps: Src, targets: ["gen.txt"])
            .Task("mid", fileDeps: ["gen.txt"], targets: ["mid.txt"], content: TargetContent.Fixed)
            .Task("top", fileDeps: ["mid.txt"], targets: ["top.txt"])
            .Run("top", "gen mid top")
            .Append("src/a.txt", "a2\n")
            .Run("top", "gen mid")
            .Run("top", "")
            .Delete("mid.txt")
            .Run("top", "mid");

        yield return new Scenario("file deps and up-to-date rules must all hold")
            .File("src/a.txt", "a1\n")
            .Param("flags", "-O1")
            .Param("version", "1")
            .Task("version", result: "version")
            .Task("build", fileDeps: Src, targets: ["out/build"], rules: [Rule.Config("flags"), Rule.ResultOf("version")])
            .Run("build", "build version")
            .Run("build", "version")
            .Set("flags", "-O3")
            .Run("build", "build version")
            .Set("version", "2")
            .Run("build", "build version")
            .Append("src/a.txt", "a2\n")
            .Run("build", "build version")
            .Run("build", "version");

        // A task stopped by a missing file dep did not complete: it is not up to date when the file comes back as it was.
        yield return new Scenario("a task stopped by a missing file dep runs again when the file comes back unchanged")
            .File("src/a.txt", "a1\n")
            .Task("a", fileDeps: Src, targets: ["out/a.o"])
            .Run("", "a")
            .Delete("src/a.txt")
            .Run("", "", success: false)
            .Write("src/a.txt", "a1\n")
            .Run("", "a")
            .Run("", "");

        yield return new Scenario("with --keep-going too, a task stopped by a missing file dep is not up to date afterwards")
            .File("src/a.txt", "a1\n")
            .File("src/b.txt", "b1\n")
            .Task("a", fileDeps: Src, targets: ["out/a.o"])
            .Task("b", fileDeps: ["src/b.txt"], targets: ["out/b.o"])
            .Run("", "a b")
            .Delete("src/a.txt")
            .Append("src/b.txt", "b2\n")
            .RunKeepGoing("", "b", success: false)
            .Write("src/a.txt", "a1\n")
            .RunKeepGoing("", "a", success: true)
            .Run("", "");

        yield return new Scenario("a task with two file deps, one missing, runs again once both are back as they were")
            .File("src/a.txt", "a1\n")
            .File("src/b.txt", "b1\n")
            .Task("ab", fileDeps: ["src/a.txt", "src/b.txt"], targets: ["out/ab"])
            .Run("", "ab")
            .Delete("src/b.txt")
            .Run("", "", success: false)
            .Write("src/b.txt", "b1\n")
            .Run("", "ab")
            .Run("", "");

        yield return new Scenario("with one job, tasks run in declaration order, each after what it depends on")
            .Task("zeta")
            .Task("alpha", taskDeps: ["mid"])
            .Task("mid")
            .Task("beta")
            .RunInOrder("", "zeta mid alpha beta")
            .RunInOrder("beta zeta", "beta zeta")
            .RunInOrder("alpha zeta", "mid alpha zeta");

        yield return new Scenario("with one job, a run stopped by a failure has not started the tasks declared after it")
            .Param("broken", "true")
            .Task("zfirst", failWhen: "broken")
            .Task("alpha")
            .RunInOrder("", "zfirst", success: false)
            .Set("broken", "false")
            .RunInOrder("", "zfirst alpha");

        yield return new Scenario("custom up-to-date rules are three-valued: None is no opinion")
            .File("src/a.txt", "a1\n")
            .Param("o", "none")
            .Task("lonely", rules: [Rule.Opinion("o")])
            .Task("withdep", fileDeps: Src, targets: ["out/w"], rules: [Rule.Opinion("o")])
            .Run("", "lonely withdep")
            .Run("", "lonely")
            .Set("o", "true")
            .Run("", "")
            .Set("o", "false")
            .Run("", "lonely withdep")
            .Set("o", "none")
            .Append("src/a.txt", "a2\n")
            .Run("", "lonely withdep")
            .Run("", "lonely");

        yield return CompileLink("clean --forget forgets the cleaned tasks; --clean-dep cleans what they depend on")
            .Task("check", fileDeps: ["app"])
            .Run("", "compile link check")
            .Clean("check")
            .Run("", "")
            .Clean("check", "--forget")
            .Run("", "check")
            .Clean("check", "--clean-dep")
            .Run("", "compile link")
            .Clean("check", "--clean-dep", "--forget")
            .Run("", "compile link check");
    }
}
