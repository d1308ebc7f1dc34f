using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Orchestrate.Tests.Reliability;

/// <summary>Two runs on one project: the second fails at once naming the first, or with --wait waits for it.</summary>
[TestFixture]
[NonParallelizable]
public class ConcurrentRunTests
{
    private const int Tasks = 50;
    private const int ActionMs = 100;
    private static readonly string[] OneJob = ["-j", "1"];
    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("orchestrate-lock-").FullName;

    [TearDown]
    public void Cleanup() => StoreProbe.DeleteQuietly(_root);

    [Test]
    public async Task A_second_run_fails_at_once_naming_the_first_and_with_wait_runs_after_it()
    {
        var project = StoreProbe.NewProject(_root, "p");
        using var first = StateAppProcess.Start(project, Tasks, ActionMs, OneJob);
        await first.WaitForOutputAsync(line => line.StartsWith("-> ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        var (code, output, errors) = await StateAppProcess.RunAsync(project, Tasks, ActionMs, OneJob);
        var refused = clock.Elapsed;

        Assert.That(code, Is.EqualTo(2), string.Join('\n', output.Concat(errors)));
        Assert.That(refused.TotalSeconds, Is.LessThan(3), "the second run must not wait");
        Assert.That(errors, Has.Length.EqualTo(1), string.Join('\n', errors));
        Assert.That(errors[0], Does.Match(
            $@"^error: another run is in progress in {Regex.Escape(project)} \(pid {first.Pid}, `[^`]*StateApp\.dll[^`]*`, since \d\d:\d\d:\d\d UTC\): wait for it to finish, or rerun with --wait$"));
        Assert.That(output, Is.Empty, "the refused run prints nothing else");
        Assert.That(first.HasExited, Is.False, "the first run goes on");

        // forget --all must not pull the store from under the running run either.
        var (forgetCode, _, forgetErrors) = await StateAppProcess.CommandAsync(project, Tasks, "forget", "--all");
        Assert.That(forgetCode, Is.EqualTo(2), string.Join('\n', forgetErrors));
        Assert.That(forgetErrors, Has.Length.EqualTo(1).And.Some.Contains($"pid {first.Pid}"));
        Assert.That(File.Exists(StoreProbe.StorePath(project)), Is.True, "the store is still there");

        // With --wait: it waits for the first run, then finds everything up to date.
        using var waiting = StateAppProcess.Start(project, Tasks, ActionMs, [.. OneJob, "--wait"]);
        await waiting.WaitForErrorAsync(line => line.Contains($"pid {first.Pid}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.That(waiting.Errors, Has.Some.StartsWith("waiting for the run in progress"));
        Assert.That(waiting.HasExited, Is.False);

        var firstCode = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.That(firstCode, Is.EqualTo(0), string.Join('\n', first.Output.Concat(first.Errors)));
        var waitedCode = await waiting.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.That(waitedCode, Is.EqualTo(0), string.Join('\n', waiting.Output.Concat(waiting.Errors)));
        Assert.That(waiting.Output, Has.Some.Contains($"{Tasks} up to date"), string.Join('\n', waiting.Output));

        var executed = StoreProbe.Executed(project);
        Assert.That(executed, Is.EquivalentTo(StoreProbe.TaskNames(Tasks)), "each task ran once, in the first run");
        var (integrity, recorded) = StoreProbe.Check(project);
        Assert.That(integrity, Is.EqualTo("ok"));
        Assert.That(recorded, Has.Count.EqualTo(Tasks));
    }

    [Test]
    public async Task A_waiting_run_takes_over_when_the_first_is_killed_and_runs_what_is_left()
    {
        var project = StoreProbe.NewProject(_root, "p");
        using var first = StateAppProcess.Start(project, Tasks, ActionMs, OneJob);
        await first.WaitForOutputAsync(line => line.StartsWith("ok t0004 ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        using var waiting = StateAppProcess.Start(project, Tasks, ActionMs, [.. OneJob, "--wait"]);
        await waiting.WaitForErrorAsync(line => line.StartsWith("waiting for the run in progress", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        first.KillHard();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var (integrityAfterKill, committed) = StoreProbe.Check(project);
        Assert.That(integrityAfterKill, Is.EqualTo("ok"));
        Assert.That(StoreProbe.ReportedOk(first.Output).Except(committed), Is.Empty, "every task printed ok was committed");
        // Read before the waiting run appends (it first polls the lock, then sleeps 100 ms in its first task).
        var before = File.ReadAllText(Path.Combine(project, "executed.log")).Length;

        var code = await waiting.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.That(code, Is.EqualTo(0), string.Join('\n', waiting.Output.Concat(waiting.Errors)));
        var rerun = File.ReadAllText(Path.Combine(project, "executed.log"))[before..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(rerun, Is.EquivalentTo(StoreProbe.TaskNames(Tasks).Where(t => !committed.Contains(t))),
            $"the waiting run runs exactly the {Tasks - committed.Count} tasks without a committed success");
        var (integrity, recorded) = StoreProbe.Check(project);
        Assert.That(integrity, Is.EqualTo("ok"));
        Assert.That(recorded, Has.Count.EqualTo(Tasks));
    }
}
