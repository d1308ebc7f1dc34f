namespace Orchestrate.Tests.Conformance;

/// <summary>
/// Sub-tasks, create_after (with target_regex) and calc_dep, played by Orchestrate and pydoit 0.31 on the same graphs
/// (see <see cref="ScenarioRunner"/>); where doit is wrong (#122/#152: it does not order a task after a delayed task
/// that makes one of its file deps), Orchestrate alone, with what it must do.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public class DynamicConformanceTests
{
    [TestCaseSource(nameof(Scenarios))]
    public async Task Same_tasks_run_as_with_doit(Scenario scenario) => await ScenarioRunner.CompareAsync(scenario);

    public static IEnumerable<TestCaseData> Scenarios() => All().Select(s => new TestCaseData(s).SetArgDisplayNames(s.Name));

    /// <summary>The seed's example: early makes a.in and b.in; build, created after it, turns each *.in into *.out.</summary>
    private static Scenario InToOut(string name) => new Scenario(name)
        .File("early.cfg", "v1\n")
        .Task("early", fileDeps: ["early.cfg"], targets: ["a.in", "b.in"])
        .Task(new TaskSpec("build") { SubTasksFrom = "*.in", SubTaskTarget = "{stem}.out", CreateAfter = "early", TargetRegex = @".*\.out" });

    private static IEnumerable<Scenario> All()
    {
        yield return new Scenario("sub-tasks: the group runs them all, group:name one, each up to date on its own")
            .File("src/a.c", "int a;\n")
            .File("src/b.c", "int b;\n")
            .Task(new TaskSpec("compile") { SubTasksFrom = "src/*.c", SubTaskTarget = "out/{stem}.o" })
            .Task("link", fileDeps: ["out/a.o", "out/b.o"], targets: ["app"])
            .Run("link", "compile:a.c compile:b.c link")
            .Run("", "")
            .Append("src/a.c", "int a2;\n")
            .Run("compile:b.c", "")
            .Run("compile:a.c", "compile:a.c")
            .Run("link", "link")
            .Append("src/b.c", "int b2;\n")
            .Run("compile", "compile:b.c");

        yield return InToOut("create_after: sub-tasks from what the first task made; a second run is a no-op")
            .Run("", "early build:a.in build:b.in")
            .Run("", "")
            .Write("c.in", "c\n")
            .Run("", "build:c.in")
            .Append("early.cfg", "v2\n")
            .Run("build", "early build:a.in build:b.in")
            .Run("build", "");

        yield return InToOut("create_after target_regex: a target no task declares yet runs the sub-task making it")
            .Run("b.out", "early build:b.in")
            .Run("b.out", "")
            .Run("", "build:a.in")
            .Delete("a.out")
            .Run("a.out", "build:a.in");

        yield return InToOut("create_after: a sub-task asked for by name runs after the group is created, alone")
            .Run("build:b.in", "early build:b.in")
            .Run("build:b.in", "")
            .Run("", "build:a.in")
            .Delete("b.out")
            .Run("build:b.in", "build:b.in");

        yield return new Scenario("result_dep on a group compares the results of all its sub-tasks; on a sub-task, its own")
            .File("in/a.txt", "a1\n")
            .File("in/b.txt", "b1\n")
            .Task(new TaskSpec("proc") { SubTasksFrom = "in/*.txt", SubTaskTarget = "out/{stem}.o", SubTasksReturnContent = true })
            .Task("report", rules: [Rule.ResultOf("proc")])
            .Task("reporta", rules: [Rule.ResultOf("proc:a.txt")])
            .Run("", "proc:a.txt proc:b.txt report reporta")
            .Run("", "")
            .Append("in/b.txt", "b2\n")
            .Run("", "proc:b.txt report")
            .Append("in/a.txt", "a2\n")
            .Run("", "proc:a.txt report reporta")
            .Write("in/c.txt", "c1\n")
            .Run("", "proc:c.txt report")
            .Delete("in/c.txt")
            .Run("", "report")
            .Run("", "");

        yield return new Scenario("calc_dep: computed file deps take part in the up-to-date check and follow the listing")
            .File("main.c", "main\n")
            .File("a.h", "a1\n")
            .File("b.h", "b1\n")
            .File("main.deps", "a.h\n")
            .Task(new TaskSpec("includes") { FileDeps = ["main.deps"], ComputesDepsFrom = "main.deps" })
            .Task(new TaskSpec("compile") { FileDeps = ["main.c"], Targets = ["main.o"], CalcDeps = ["includes"], Content = TargetContent.Fixed })
            .Run("compile", "includes compile")
            .Run("compile", "")
            .Append("a.h", "a2\n")
            .Run("compile", "compile")
            .Append("b.h", "b2\n")
            .Run("compile", "")
            .Write("main.deps", "b.h\n")
            .Run("compile", "includes compile")
            .Append("a.h", "a3\n")
            .Run("compile", "")
            .Append("b.h", "b3\n")
            .Run("compile", "compile");
    }

    [Test]
    public async Task A_file_dep_made_by_a_delayed_sub_task_orders_its_task_after_it_where_doit_does_not() =>
        // doit (#122/#152) runs 'use' without waiting for build:a.in, and fails on the missing a.out.
        await ScenarioRunner.OrchestrateOnlyAsync(new Scenario("a task reading a delayed sub-task's target runs after it")
            .Task(new TaskSpec("use") { FileDeps = ["a.out"], Targets = ["use.txt"] })
            .File("early.cfg", "v1\n")
            .Task("early", fileDeps: ["early.cfg"], targets: ["a.in", "b.in"])
            .Task(new TaskSpec("build") { SubTasksFrom = "*.in", SubTaskTarget = "{stem}.out", CreateAfter = "early", TargetRegex = @".*\.out" })
            .Run("use", "early build:a.in build:b.in use")
            .Run("use", "")
            .Append("early.cfg", "v2\n")
            .Run("use", "early build:a.in build:b.in use"));
}
