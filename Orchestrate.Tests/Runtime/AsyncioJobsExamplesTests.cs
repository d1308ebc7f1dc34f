using System.Threading.Channels;
using Orchestrate.Scheduling;

namespace Orchestrate.Tests.Runtime;

/// <summary>
/// The examples of asynciojobs' README and early notebook, as Orchestrate tasks: each gives the same observable
/// order of starts and ends, and the same outcome (orchestrate's True or False), as the document shows. Durations
/// are scaled up (0.4 s steps) so that the order holds on a loaded machine; the document's <c>mycoro(t)</c> prints
/// <c>-&gt; </c>, sleeps, prints <c>&lt;- </c>, here with a real <c>sleep</c> process.
/// </summary>
[TestFixture]
public class AsyncioJobsExamplesTests
{
    [Test]
    public async Task A_jobs_without_requirements_run_in_parallel()
    {
        using var run = new RunControlHarness();
        run.Sleeper("a1", 0.4);
        run.Sleeper("a2", 0.8);
        run.Sleeper("a3", 1.2);

        var outcome = await run.RunAsync(["a1", "a2", "a3"]);

        Assert.That(outcome.Succeeded, Is.True);
        var log = run.Log.ToArray();
        Assert.That(log[..3], Is.EquivalentTo(new[] { "-> a1", "-> a2", "-> a3" }), "all three start at once");
        Assert.That(log[3..], Is.EqualTo(new[] { "<- a1", "<- a2", "<- a3" }));
    }

    [Test]
    public async Task B_a_requirement_delays_a_job_until_the_one_it_requires_is_done()
    {
        using var run = new RunControlHarness();
        run.Sleeper("b1", 0.4);
        run.Sleeper("b2", 0.8, dependsOn: ["b1"]);
        run.Sleeper("b3", 0.8);

        var outcome = await run.RunAsync(["b1", "b2", "b3"]);

        Assert.That(outcome.Succeeded, Is.True);
        var log = run.Log.ToArray();
        Assert.That(log[..2], Is.EquivalentTo(new[] { "-> b1", "-> b3" }));
        Assert.That(log[2..], Is.EqualTo(new[] { "<- b1", "-> b2", "<- b3", "<- b2" }));
    }

    [Test]
    public async Task C_a_sequence_is_the_same_as_the_requirements_it_stands_for()
    {
        using var run = new RunControlHarness();
        run.Sleeper("bp1", 0.4);
        run.Sleeper("bp2", 0.8);
        run.Sequence("bp", ["bp1", "bp2"]);
        run.Sleeper("j3", 0.8);

        var outcome = await run.RunAsync(["bp", "j3"]);

        Assert.That(outcome.Succeeded, Is.True);
        var log = run.Log.ToArray();
        Assert.That(log[..2], Is.EquivalentTo(new[] { "-> bp1", "-> j3" }));
        Assert.That(log[2..], Is.EqualTo(new[] { "<- bp1", "-> bp2", "<- j3", "<- bp2" }));
    }

    [Test]
    public async Task D_a_forever_monitor_reads_the_message_bus_and_is_cancelled_at_the_end()
    {
        using var run = new RunControlHarness();
        var bus = Channel.CreateUnbounded<string>();
        var printed = new List<string>();
        var stopped = false;

        Func<TaskContext, Task> Worker(string label, double seconds) => async ctx =>
        {
            await bus.Writer.WriteAsync($"-> {label}");
            await ctx.Run("sleep", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await bus.Writer.WriteAsync($"<- {label}");
        };

        run.Add("c1", Worker("c1", 0.4));
        run.Add("c2", Worker("c2", 0.8));
        run.Add("c3", Worker("c3", 0.8), ["c1"]);
        run.Add("monitor", async ctx =>
        {
            try
            {
                await foreach (var message in bus.Reader.ReadAllAsync(ctx.CancellationToken))
                {
                    printed.Add($"BUS: {message}");
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped at the end: print what is left on the bus, as a monitor would.
                while (bus.Reader.TryRead(out var message))
                {
                    printed.Add($"BUS: {message}");
                }

                stopped = true;
                throw;
            }
        }, forever: true);

        var outcome = await run.RunAsync(["c1", "c2", "c3", "monitor"]);

        Assert.That(outcome.Succeeded, Is.True, string.Join(", ", outcome.Tasks));
        Assert.That(stopped, Is.True, "the monitor was cancelled");
        Assert.That(outcome.StatusOf("monitor"), Is.EqualTo(TaskRunStatus.Stopped));
        Assert.That(printed[..2], Is.EquivalentTo(new[] { "BUS: -> c1", "BUS: -> c2" }));
        Assert.That(printed[2..], Is.EqualTo(new[] { "BUS: <- c1", "BUS: -> c3", "BUS: <- c2", "BUS: <- c3" }));
    }

    [Test]
    public async Task E_a_non_critical_failure_lets_the_next_job_run_and_the_run_succeed()
    {
        using var run = new RunControlHarness();
        run.Sleeper("e1", 0.2);
        run.Add("boom", async ctx =>
        {
            await ctx.Run("sleep", "0.2");
            throw new InvalidOperationException("boom after 0.2s");
        }, ["e1"], critical: false);
        run.Sleeper("e3", 0.3, dependsOn: ["boom"]);

        var outcome = await run.RunAsync(["e3"]);
        var result = await run.Cli.RunAsync("e3");

        Assert.That(run.Log.Take(4), Is.EqualTo(new[] { "-> e1", "<- e1", "-> e3", "<- e3" }));
        Assert.That(outcome.Succeeded, Is.True, "orch: True");
        Assert.That(outcome.StatusOf("boom"), Is.EqualTo(TaskRunStatus.Tolerated));
        Assert.That(outcome.Of("boom").Error?.Message, Is.EqualTo("boom after 0.2s"), "the exception is kept");
        Assert.That(outcome.StatusOf("e3"), Is.EqualTo(TaskRunStatus.Succeeded));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
    }

    [Test]
    public async Task F_a_critical_failure_stops_the_run_before_the_next_job()
    {
        using var run = new RunControlHarness();
        run.Sleeper("e1", 0.2);
        run.Add("boom", async ctx =>
        {
            await ctx.Run("sleep", "0.2");
            throw new InvalidOperationException("boom after 0.2s");
        }, ["e1"], critical: true);
        run.Sleeper("e3", 0.3, dependsOn: ["boom"]);

        var outcome = await run.RunAsync(["e3"]);
        var result = await run.Cli.RunAsync("e3");

        Assert.That(run.Log.Take(2), Is.EqualTo(new[] { "-> e1", "<- e1" }));
        Assert.That(run.Log, Does.Not.Contain("-> e3"));
        Assert.That(outcome.Succeeded, Is.False, "orchestrate: False");
        Assert.That(outcome.AbortedBy, Is.EqualTo("boom"));
        Assert.That(outcome.StatusOf("boom"), Is.EqualTo(TaskRunStatus.Failed));
        Assert.That(outcome.Of("boom").Error?.Message, Is.EqualTo("boom after 0.2s"));
        Assert.That(outcome.StatusOf("e3"), Is.AnyOf(TaskRunStatus.Blocked, TaskRunStatus.NotRun), "idle: never started");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
    }
}
