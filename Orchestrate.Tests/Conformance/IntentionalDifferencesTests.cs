namespace Orchestrate.Tests.Conformance;

/// <summary>
/// Where doit is known to be wrong and Orchestrate deliberately differs: Orchestrate's behaviour alone,
/// not compared with doit.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public class IntentionalDifferencesTests
{
    /// <summary>
    /// doit records a task's file-dep state after its action ran (doit issue #119), so an edit made to a file
    /// dep while the task runs is recorded as if the task had seen it, and the task never reruns for it.
    /// Orchestrate stamps file deps before the action and records those stamps: the edit makes the task out
    /// of date on the next run.
    /// </summary>
    [Test]
    public async Task A_file_dep_edited_while_its_task_runs_makes_it_out_of_date_next_time()
    {
        var scenario = new Scenario("file dep edited during the action")
            .File("src/a.txt", "a1\n")
            .Param("mutate", "true")
            .Task(new TaskSpec("gen") { FileDeps = ["src/a.txt"], Targets = ["gen.txt"], MutatesDuringRun = "src/a.txt" })
            .Run("", "gen")
            .Set("mutate", "false")
            .Run("", "gen")
            .Run("", "");

        await ScenarioRunner.OrchestrateOnlyAsync(scenario);
    }

    /// <summary>
    /// doit's <c>check_timestamp_unchanged</c> on a path that does not exist runs the action, then fails with a Python
    /// traceback (FileNotFoundError, exit code 3) while saving the task's values. Orchestrate fails the task before its
    /// action, with one line naming the path, and runs it once the path exists.
    /// </summary>
    [Test]
    public async Task A_timestamp_rule_on_a_missing_path_fails_the_task_before_its_action()
    {
        var scenario = new Scenario("timestamp of a missing path")
            .Task("watch", rules: [Rule.Timestamp("cfg.txt")])
            .Run("", "", success: false)
            .Write("cfg.txt", "v1\n")
            .Run("", "watch")
            .Run("", "")
            .Delete("cfg.txt")
            .Run("", "", success: false)
            .Write("cfg.txt", "v1\n")
            .Run("", "watch");

        await ScenarioRunner.OrchestrateOnlyAsync(scenario);
    }

    /// <summary>
    /// x depends on y and z, and y and z on each other. doit does not detect this cycle (it runs with
    /// x -> [y, z], y -> z, z -> y); Orchestrate refuses the graph before running anything, naming the cycle.
    /// </summary>
    [Test]
    public async Task A_cycle_below_a_shared_root_is_rejected_before_anything_runs()
    {
        var scenario = new Scenario("cycle")
            .Task("x", taskDeps: ["y", "z"])
            .Task("y", taskDeps: ["z"])
            .Task("z", taskDeps: ["y"]);
        var directory = Directory.CreateTempSubdirectory("orchestrate-conformance-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "params.json"), "{}");
            var orchestrate = new OrchestrateSide(scenario, directory);

            var result = await orchestrate.RunAsync("run", "x");

            Assert.That(result.ExitCode, Is.EqualTo(2), result.Output);
            Assert.That(result.Output, Does.Contain("y -> z -> y").Or.Contain("z -> y -> z"));
            Assert.That(File.Exists(Path.Combine(directory, "executed.log")), Is.False, "no task may run");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
