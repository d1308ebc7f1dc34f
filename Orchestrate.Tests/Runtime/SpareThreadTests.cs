using Orchestrate.Execution;

namespace Orchestrate.Tests.Runtime;

/// <summary>The thread that opened a run's state, kept a moment to serve as the checks' second core.</summary>
[TestFixture]
[NonParallelizable]
public class SpareThreadTests
{
    // A run of another test may have left its state thread waiting: give it nothing to do, so that it ends.
    [SetUp]
    public void NoSpareLeft()
    {
        while (SpareThread.TryGive(() => { }) is { } stale)
        {
            stale.Wait();
        }
    }

    [Test]
    public void Work_given_while_a_thread_waits_runs_on_that_thread_and_its_failure_reaches_the_giver()
    {
        var spare = new Thread(() => SpareThread.Offer(TimeSpan.FromSeconds(10))) { IsBackground = true };
        spare.Start();

        // Given as soon as the thread waits (it may not have reached its wait yet when it starts).
        SpareThread.Handoff? handoff = null;
        var ranOn = -1;
        SpinWait.SpinUntil(() => (handoff = SpareThread.TryGive(() =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            throw new InvalidOperationException("from the spare thread");
        })) is not null, TimeSpan.FromSeconds(10));

        Assert.That(handoff, Is.Not.Null, "a waiting thread takes the work");
        var failure = Assert.Throws<InvalidOperationException>(handoff!.Wait);
        Assert.That(failure!.Message, Is.EqualTo("from the spare thread"));
        Assert.That(ranOn, Is.EqualTo(spare.ManagedThreadId));
        Assert.That(spare.Join(TimeSpan.FromSeconds(10)), Is.True, "the thread ends after its one piece of work");
    }

    [Test]
    public void Without_a_waiting_thread_nothing_is_taken_and_a_thread_that_waited_in_vain_ends()
    {
        Assert.That(SpareThread.TryGive(() => Assert.Fail("must not run")), Is.Null);

        var spare = new Thread(() => SpareThread.Offer(TimeSpan.FromMilliseconds(50))) { IsBackground = true };
        spare.Start();

        Assert.That(spare.Join(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(SpareThread.TryGive(() => Assert.Fail("must not run")), Is.Null, "nobody waits any more");
    }
}
