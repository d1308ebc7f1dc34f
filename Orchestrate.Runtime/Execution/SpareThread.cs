using System.Runtime.ExceptionServices;

namespace Orchestrate.Execution;

/// <summary>
/// A thread that finished its own work and waits a moment for one more piece: a run's state is opened on a thread of
/// its own, which then serves as the second core of the up-to-date checks, so that a no-op run never starts the
/// thread pool (its first worker took 2-3 ms to start here, on the path of every large no-op run).
/// </summary>
internal static class SpareThread
{
    private static readonly object Gate = new();
    private static Action? _work;
    private static bool _waiting;

    /// <summary>Called by a thread that is done with its own work: runs what <see cref="TryGive"/> hands over within
    /// <paramref name="wait"/>, then returns.</summary>
    public static void Offer(TimeSpan wait)
    {
        Action? work;
        lock (Gate)
        {
            if (_waiting)
            {
                return; // one spare is enough
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
        }

        work?.Invoke();
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
