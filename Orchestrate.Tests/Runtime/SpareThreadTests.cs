using Orchestrate.Execution;

namespace Orchestrate.Tests.Runtime;

/// <summary>The thread that opened a run's state, kept a moment to serve as the checks' second core and to run a task.</summary>
[TestFixture]
[NonParallelizable]
public class SpareThreadTests
{
    // A run of another test may have left its state thread waiting: dismiss it, so that only this test's thread serves.
    [SetUp]
    public void NoSpareLeft() => SpareThread.Dismiss();

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
    }

    [Test]
    public void A_spare_thread_serves_piece_after_piece_and_runs_a_task_to_its_end_then_ends_when_none_comes()
    {
        var spare = new Thread(() => SpareThread.Offer(TimeSpan.FromMilliseconds(500))) { IsBackground = true };
        spare.Start();
        SpareThread.Handoff? first = null;
        SpinWait.SpinUntil(() => (first = SpareThread.TryGive(() => { })) is not null, TimeSpan.FromSeconds(10));
        first!.Wait();

        // The task awaits a real delay: the thread waits for its end.
        Task<int>? task = null;
        var startedOn = -1;
        SpinWait.SpinUntil(() => (task = SpareThread.TryRun(async () =>
        {
            startedOn = Environment.CurrentManagedThreadId;
            await Task.Delay(50);
            return 42;
        })) is not null, TimeSpan.FromSeconds(10));
        Assert.That(task, Is.Not.Null, "the thread waits again after its first piece");
        var result = task!.GetAwaiter().GetResult();

        Task<int>? failing = null;
        SpinWait.SpinUntil(() => (failing = SpareThread.TryRun<int>(() => throw new InvalidOperationException("failed on the spare"))) is not null, TimeSpan.FromSeconds(10));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Task<int>? stopped = null;
        SpinWait.SpinUntil(() => (stopped = SpareThread.TryRun(() => Task.FromCanceled<int>(cancelled.Token))) is not null, TimeSpan.FromSeconds(10));

        Assert.That(result, Is.EqualTo(42));
        Assert.That(startedOn, Is.EqualTo(spare.ManagedThreadId));
        Assert.That(() => failing!.GetAwaiter().GetResult(), Throws.InvalidOperationException.With.Message.EqualTo("failed on the spare"));
        Assert.That(() => stopped!.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(stopped!.IsCanceled, Is.True, "a cancelled task ends cancelled, as Task.Run's does");
        Assert.That(spare.Join(TimeSpan.FromSeconds(10)), Is.True, "the thread ends when nothing came for a while");
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
