using System.Runtime.ExceptionServices;

namespace Orchestrate.Execution;

/// <summary>
/// A thread that finished its own work and stays a moment for more: a run's state is opened on a thread of its own,
/// which then serves as the second core of the up-to-date checks and runs the first task that must run, so that a no-op
/// run, or a run of one changed task whose action does not wait on anything, never starts the thread pool (its first
/// worker took 2-8 ms to start here, on the path of every such run).
/// </summary>
internal static class SpareThread
{
    private static readonly object Gate = new();
    private static Action? _work;
    private static bool _waiting;

    /// <summary>Called by a thread that is done with its own work: runs what <see cref="TryGive"/> hands over, for as long
    /// as each piece comes within <paramref name="wait"/> of the end of the one before, then returns.</summary>
    public static void Offer(TimeSpan wait)
    {
        while (OfferOnce(wait))
        {
        }
    }

    // One wait, and the work it got: false when none came (or another thread is the spare one).
    private static bool OfferOnce(TimeSpan wait)
    {
        Action? work;
        lock (Gate)
        {
            if (_waiting)
            {
                return false; // one spare is enough
            }

            _waiting = true;
            var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
            long left;
            while (_work is null && (left = deadline - Environment.TickCount64) > 0)
            {
                Monitor.Wait(Gate, TimeSpan.FromMilliseconds(left));
            }

            work = _work;
            _work = null;
            _waiting = false;
            Monitor.PulseAll(Gate); // a Dismiss waits for this
        }

        if (ReferenceEquals(work, Dismissal))
        {
            return false;
        }

        work?.Invoke();
        return work is not null;
    }

    // Handed over by Dismiss: the spare thread returns instead of waiting again.
    private static readonly Action Dismissal = () => { };

    /// <summary>Ends the wait of the spare thread, if one waits, and returns once it has stopped waiting (another
    /// thread may then become the spare one). For tests, which want their own.</summary>
    internal static void Dismiss()
    {
        lock (Gate)
        {
            if (!_waiting || _work is not null)
            {
                return;
            }

            _work = Dismissal;
            Monitor.PulseAll(Gate);
            while (ReferenceEquals(_work, Dismissal))
            {
                Monitor.Wait(Gate);
            }
        }
    }

    /// <summary>Starts <paramref name="work"/> on the waiting spare thread, which waits for it to end; null when there is
    /// none (start it elsewhere). What follows its end (the caller's continuation) runs there too.</summary>
    public static Task<T>? TryRun<T>(Func<Task<T>> work)
    {
        var completion = new TaskCompletionSource<T>();
        var given = TryGive(() =>
        {
            try
            {
                completion.TrySetResult(work().GetAwaiter().GetResult());
            }
            catch (OperationCanceledException e)
            {
                completion.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        });
        return given is null ? null : completion.Task;
    }

    /// <summary>Hands <paramref name="work"/> to the waiting spare thread; null when there is none (run it elsewhere).
    /// The handle is set when the work is done, with its exception if it threw.</summary>
    public static Handoff? TryGive(Action work)
    {
        var handoff = new Handoff(work);
        lock (Gate)
        {
            if (!_waiting || _work is not null)
            {
                return null;
            }

            _work = handoff.Run;
            Monitor.Pulse(Gate);
        }

        return handoff;
    }

    /// <summary>Work handed to the spare thread.</summary>
    public sealed class Handoff(Action work)
    {
        private readonly ManualResetEventSlim _done = new();
        private ExceptionDispatchInfo? _failure;

        internal void Run()
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _done.Set();
            }
        }

        /// <summary>Waits until the work is done; throws what it threw.</summary>
        public void Wait()
        {
            _done.Wait();
            _done.Dispose();
            _failure?.Throw();
        }
    }
}
