using System.Diagnostics;

namespace Orchestrate.Tests.Reliability;

/// <summary>
/// Runs of StateApp (300 tasks, a few ms each, two at a time) killed with SIGKILL at random moments,
/// or stopped with SIGINT: the store stays intact, every task reported finished was committed, and
/// the next run runs exactly the tasks without a committed success.
/// </summary>
[TestFixture]
[NonParallelizable]
public class InterruptedRunTests
{
    private const int Tasks = 300;
    private const int ActionMs = 5;
    private const int Seed = 20_250_611;
    private const int Trials = 21;
    private const int StartupTrials = 3;
    private static readonly string[] Parallel2 = ["-j", "2"];
    private string _root = "";
    private TimeSpan _firstLine;
    private TimeSpan _runSpan;

    [OneTimeSetUp]
    public async Task Calibrate()
    {
        _root = Directory.CreateTempSubdirectory("orchestrate-reliability-").FullName;
        var project = StoreProbe.NewProject(_root, "calibration");
        using var app = StateAppProcess.Start(project, Tasks, ActionMs, Parallel2);
        await app.WaitForOutputAsync(_ => true, TimeSpan.FromSeconds(30));
        _firstLine = app.Clock.Elapsed;
        var code = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        _runSpan = app.Clock.Elapsed - _firstLine;
        Assert.That(code, Is.EqualTo(0), string.Join('\n', app.Output.Concat(app.Errors)));
        TestContext.Progress.WriteLine($"calibration: first line after {_firstLine.TotalMilliseconds:0} ms, then {_runSpan.TotalMilliseconds:0} ms to the end");
    }

    [OneTimeTearDown]
    public void Cleanup() => StoreProbe.DeleteQuietly(_root);

    [Test]
    public async Task A_run_killed_at_random_moments_loses_only_unfinished_tasks()
    {
        TestContext.Progress.WriteLine($"kill -9 trials: seed {Seed}, {Trials} trials");
        var random = new Random(Seed);
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        for (var trial = 0; trial < Trials; trial++)
        {
            var project = StoreProbe.NewProject(_root, $"kill-{trial:D2}");
            string when;
            string[] printed;
            using (var app = StateAppProcess.Start(project, Tasks, ActionMs, Parallel2))
            {
                if (trial < StartupTrials)
                {
                    // While the program starts, opens the store, maybe creates it.
                    var delay = TimeSpan.FromMilliseconds(random.NextDouble() * _firstLine.TotalMilliseconds);
                    await Task.Delay(delay);
                    when = $"{delay.TotalMilliseconds:0} ms after start";
                }
                else
                {
                    // Stratified over the run, so that some trials kill early, some midway, some late.
                    var fraction = (trial - StartupTrials + random.NextDouble()) / (Trials - StartupTrials);
                    await app.WaitForOutputAsync(_ => true, TimeSpan.FromSeconds(30));
                    var delay = _runSpan * fraction;
                    await Task.Delay(delay);
                    when = $"{delay.TotalMilliseconds:0} ms after the first line ({fraction:P0} of the run)";
                }

                app.KillHard();
                await app.WaitForExitAsync(TimeSpan.FromSeconds(10));
                printed = app.Output;
            }

            var result = await VerifyRecoveryAsync(project, printed);
            TestContext.Progress.WriteLine($"trial {trial:D2}: killed {when}: {result}");
            if (result.Failure is not null)
            {
                failures.Add($"trial {trial} (killed {when}): {result.Failure}");
            }

            StoreProbe.DeleteQuietly(project);
        }

        TestContext.Progress.WriteLine($"kill -9 trials took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.That(failures, Is.Empty, $"seed {Seed}");
    }

    [TestCase("t0029", TestName = "Ctrl+C early (after 10% of the tasks)")]
    [TestCase("t0149", TestName = "Ctrl+C midway (after 50% of the tasks)")]
    [TestCase("t0249", TestName = "Ctrl+C late (after 83% of the tasks)")]
    public async Task Ctrl_C_stops_the_run_with_130_and_keeps_what_finished(string after)
    {
        var project = StoreProbe.NewProject(_root, $"sigint-{after}");
        string[] printed;
        string[] errors;
        int code;
        TimeSpan stopping;
        using (var app = StateAppProcess.Start(project, Tasks, ActionMs, Parallel2))
        {
            await app.WaitForOutputAsync(line => line.StartsWith($"ok {after} ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            var sent = Stopwatch.StartNew();
            app.Interrupt();
            code = await app.WaitForExitAsync(TimeSpan.FromSeconds(15));
            stopping = sent.Elapsed;
            printed = app.Output;
            errors = app.Errors;
        }

        var all = string.Join('\n', printed.Concat(errors));
        Assert.That(code, Is.EqualTo(130), all);
        Assert.That(stopping.TotalSeconds, Is.LessThan(3), "tasks of a few ms stop at once");
        Assert.That(errors, Has.Some.StartsWith("cancelling:"), all);
        Assert.That(all, Does.Not.Contain("   at "), "no stack trace");
        var result = await VerifyRecoveryAsync(project, printed);
        TestContext.Progress.WriteLine($"SIGINT after ok {after}: stopped in {stopping.TotalMilliseconds:0} ms; {result}");
        Assert.That(result.Failure, Is.Null);
    }

    [Test]
    public async Task A_second_Ctrl_C_ends_the_process_at_once_and_the_store_survives()
    {
        // Tasks of 300 ms that do not stop when cancelled: after the first Ctrl+C the run waits for them.
        var project = StoreProbe.NewProject(_root, "sigint-twice");
        var stubborn = new Dictionary<string, string> { ["STATEAPP_UNCANCELLABLE"] = "1" };
        string[] printed;
        int code;
        TimeSpan stopping;
        using (var app = StateAppProcess.Start(project, 40, 300, stubborn, Parallel2))
        {
            await app.WaitForOutputAsync(line => line.StartsWith("ok t0003 ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            app.Interrupt();
            await app.WaitForErrorAsync(line => line.StartsWith("cancelling:", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            if (app.HasExited)
            {
                Assert.Inconclusive("the run ended before the second Ctrl+C (the machine is very slow)");
            }

            var sent = Stopwatch.StartNew();
            app.Interrupt();
            code = await app.WaitForExitAsync(TimeSpan.FromSeconds(5));
            stopping = sent.Elapsed;
            printed = app.Output;
        }

        Assert.That(code, Is.EqualTo(130), "ended by SIGINT");
        Assert.That(stopping.TotalMilliseconds, Is.LessThan(250), "the second Ctrl+C does not wait for the 300 ms tasks");
        var result = await VerifyRecoveryAsync(project, printed, 40, 1);
        TestContext.Progress.WriteLine($"SIGINT twice: stopped in {stopping.TotalMilliseconds:0} ms; {result}");
        Assert.That(result.Failure, Is.Null);
    }

    /// <summary>
    /// After an interrupted run: the store passes the integrity check; every task printed "ok" has a
    /// committed success; the rerun (exit 0) runs exactly the tasks without one, each once; then
    /// every task has a success and a target.
    /// </summary>
    private static async Task<Recovery> VerifyRecoveryAsync(string project, string[] printed, int tasks = Tasks, int actionMs = ActionMs)
    {
        var noStore = !File.Exists(StoreProbe.StorePath(project));
        var (integrity, committed) = StoreProbe.Check(project);
        if (integrity != "ok")
        {
            return Recovery.Failed($"the store after the kill: {integrity}");
        }

        var before = StoreProbe.Executed(project);
        var printedOk = StoreProbe.ReportedOk(printed);
        var notCommitted = printedOk.Except(committed).Order().ToList();
        if (notCommitted.Count > 0)
        {
            return Recovery.Failed($"printed ok but not committed: {string.Join(' ', notCommitted)}");
        }

        var committedNotRun = committed.Except(before).Order().ToList();
        if (committedNotRun.Count > 0)
        {
            return Recovery.Failed($"committed without having run: {string.Join(' ', committedNotRun)}");
        }

        // The rerun's own log: what it runs, and only that.
        var log = Path.Combine(project, "executed.log");
        if (File.Exists(log))
        {
            File.Move(log, Path.Combine(project, "executed.before.log"));
        }

        var (code, output, errors) = await StateAppProcess.RunAsync(project, tasks, actionMs, Parallel2);
        if (code != 0)
        {
            return Recovery.Failed($"the rerun exited {code}:\n{string.Join('\n', output.TakeLast(10).Concat(errors))}");
        }

        var rerun = StoreProbe.Executed(project);
        var expected = StoreProbe.TaskNames(tasks).Where(t => !committed.Contains(t)).ToHashSet(StringComparer.Ordinal);
        var rerunTwice = rerun.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var rerunCommitted = rerun.Where(committed.Contains).Distinct().Order().ToList();
        var missing = expected.Except(rerun).Order().ToList();
        if (rerunCommitted.Count > 0 || missing.Count > 0 || rerunTwice.Count > 0)
        {
            return Recovery.Failed($"committed tasks that ran again: [{string.Join(' ', rerunCommitted)}]; uncommitted tasks that did not run: [{string.Join(' ', missing)}]; ran twice: [{string.Join(' ', rerunTwice)}]");
        }

        var after = StoreProbe.Check(project);
        if (after.Integrity != "ok" || after.Tasks.Count != tasks)
        {
            return Recovery.Failed($"after the rerun: integrity {after.Integrity}, {after.Tasks.Count} tasks recorded");
        }

        var targetsMissing = StoreProbe.TaskNames(tasks)
            .Where(t => !File.Exists(Path.Combine(project, "out", $"{t}.txt")) || File.ReadAllText(Path.Combine(project, "out", $"{t}.txt")) != t)
            .ToList();
        if (targetsMissing.Count > 0)
        {
            return Recovery.Failed($"targets missing or wrong after the rerun: {string.Join(' ', targetsMissing)}");
        }

        return new Recovery(committed.Count, printedOk.Count, before.Count, rerun.Count, noStore, null);
    }

    private sealed record Recovery(int Committed, int PrintedOk, int RanBefore, int Rerun, bool NoStore, string? Failure)
    {
        public static Recovery Failed(string why) => new(0, 0, 0, 0, false, why);

        public override string ToString() => Failure is not null
            ? $"FAILED: {Failure}"
            : $"{(NoStore ? "no store yet, " : "")}{PrintedOk} printed ok, {Committed} committed, {RanBefore} in executed.log; the rerun ran {Rerun}";
    }
}
