using System.Runtime;

namespace Orchestrate.Hosting;

/// <summary>
/// Holds off garbage collections while a large run is planned and checked, until its first task is executed.
/// Everything that phase allocates (the graph, the plan, the decisions, the report of a no-op run) stays alive to the
/// end of the run, so a collection in the middle of it only copies it all: on 10,000 tasks one such collection cost
/// 6-20 ms, a tenth of the whole no-op run. Entering the pause costs one collection of what exists then (the task
/// descriptors), which is why small runs, whose collections are cheap, do not pause. No action or up-to-date rule of
/// the run's tasks runs inside the pause: it ends before the first task executes or is checked by a rule, and at the
/// end of the run. (Generators of sub-tasks, which build the graph, may: if they allocate past the pause's budget, the
/// runtime collects and ends the pause by itself. So may the code of another run started in the same process at the
/// same time, which is not how Orchestrate programs run.)
/// </summary>
internal static class CollectionPause
{
    /// <summary>Runs with fewer tasks than this do not pause.</summary>
    public const int MinimumTasks = 2048;

    // Bytes of allocation allowed per task before the runtime collects anyway (about three times what a no-op run
    // allocates per task), and the ceiling: past it, the run is large enough that collections are a small part of it.
    private const long BytesPerTask = 2048;
    private const long MaximumBytes = 128L << 20;

    private static int _active;

    /// <summary>Starts the pause for a run of <paramref name="tasks"/> tasks, if it is large enough and no other code
    /// of the process paused collections already.</summary>
    public static void Begin(int tasks)
    {
        if (tasks < MinimumTasks || GCSettings.LatencyMode == GCLatencyMode.NoGCRegion || Interlocked.Exchange(ref _active, 1) != 0)
        {
            return;
        }

        try
        {
            if (!GC.TryStartNoGCRegion(Math.Min(tasks * BytesPerTask, MaximumBytes)))
            {
                Volatile.Write(ref _active, 0);
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            Volatile.Write(ref _active, 0); // the runtime cannot pause that much: collect as usual
        }
    }

    /// <summary>Ends the pause, if one is on (any thread, any number of times).</summary>
    public static void End()
    {
        if (Volatile.Read(ref _active) == 0 || Interlocked.Exchange(ref _active, 0) == 0)
        {
            return;
        }

        try
        {
            // Allocating past the budget ends the pause by itself (the runtime collects and the mode goes back).
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
        catch (InvalidOperationException)
        {
            // Ended by the runtime in between: nothing left to end.
        }
    }
}
