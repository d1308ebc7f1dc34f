using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orchestrate.Hosting;

/// <summary>
/// Holds off garbage collections during a large run, within a budget. Everything a run makes before its first task
/// executes (the descriptors, the graph, the plan, the decisions, the report of a no-op run) stays alive to the end of
/// the run, so a collection then only copies it all: on 10,000 tasks one such collection cost 6-30 ms, a tenth to a
/// quarter of a whole no-op run. The pause begins best before the tasks' descriptors are made (the generated catalog's
/// module initializer calls <see cref="Orchestrator.PrepareHeap"/>; so may a program that makes its own): entering it
/// costs one collection of what exists then, nearly nothing at that point. Begun at the run's start instead, that
/// collection copies the descriptors. Small runs, whose collections are cheap and few, do not pause. The pause
/// lasts to the end of the run: a run that executes a few tasks (one file changed) allocates little more, and ending
/// the pause when the first one starts made the runtime collect at once, copying everything (30 ms, more than the
/// task). Tasks that allocate more than the budget end it by themselves: the runtime collects when the budget is spent
/// and goes back to its usual mode, as it does for any program that outgrows a no-collection region.
/// </summary>
internal static partial class CollectionPause
{
    /// <summary>Runs with fewer tasks than this do not pause (measured side by side: at 1,000 tasks the pause and its
    /// huge pages take 4 ms off a 76 ms no-op run; at a few hundred there is little left to save).</summary>
    public const int MinimumTasks = 512;

    // Bytes of allocation allowed per task before the runtime collects anyway (about twice what a no-op run allocates
    // per task, its descriptor included), the floor (what a run of any size allocates besides its tasks) and the
    // ceiling: past it, the run is large enough that collections are a small part of it.
    private const long BytesPerTask = 2048;
    private const long MinimumBytes = 4L << 20;
    private const long MaximumBytes = 128L << 20;

    private static int _active;

    /// <summary>Starts the pause for a run of <paramref name="tasks"/> tasks, if it is large enough and no pause is on
    /// (this one, begun before the tasks' descriptors were made, or any other code's).</summary>
    public static void Begin(int tasks)
    {
        if (tasks < MinimumTasks || GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            return;
        }

        try
        {
            var budget = Math.Clamp(tasks * BytesPerTask, MinimumBytes, MaximumBytes);
            if (GC.TryStartNoGCRegion(budget))
            {
                Volatile.Write(ref _active, 1);
                AdviseHugePages(budget);
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // The runtime cannot pause that much, or another thread's pause began in between: collect as usual.
        }
    }

    /// <summary>Ends the pause, if this class began one that is still on (any thread, any number of times).</summary>
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

    private const int HugePageAdvice = 14; // MADV_HUGEPAGE
    private const int CollapseAdvice = 25; // MADV_COLLAPSE (Linux 6.1)
    private const long HugePage = 2L << 20;

    /// <summary>
    /// Linux: asks the kernel to back the pause's memory with huge pages (transparent huge pages; nothing is asked when
    /// the system turned them off). Outside a pause the collector commits its heap 64 KB at a time, too little for a
    /// huge page; the pause commits its whole budget at once, just past the memory in use. Each fresh 4 KB page
    /// otherwise costs a fault when first written: a no-op run of 10,000 tasks writes ~9 MB, ~2,300 faults, 15-25 ms of
    /// a 0.14 s run on the machines measured; a 2 MB page costs one. The 2 MB around the memory in use, already partly
    /// written in small pages, is made one huge page now (its content copied by the kernel). The advice only says what
    /// kind of page to use: it changes no protection and no content, so covering memory that is not the heap's does no
    /// harm.
    /// </summary>
    private static void AdviseHugePages(long budget)
    {
        if (!OperatingSystem.IsLinux() || !HugePagesAllowed())
        {
            return;
        }

        // Where the heap allocates now: the pause's regions follow it, its budget twice over (small objects and large
        // ones each get the whole budget), and a few regions of the heap's own in between.
        object probe = new byte[1];
        var here = Unsafe.As<object, nint>(ref probe);
        var start = here & ~(nint)(HugePage - 1);
        if (Advise(start, (nuint)(2 * budget + (64L << 20)), HugePageAdvice) == 0)
        {
            _ = Advise(start, (nuint)HugePage, CollapseAdvice); // an older kernel says no: small pages there
        }
    }

    // "always [madvise] never": the system's choice, the one in brackets (read without FileStream: see PlainFile).
    private static bool HugePagesAllowed() =>
        UpToDate.PlainFile.TryReadText("/sys/kernel/mm/transparent_hugepage/enabled") is { } setting && !setting.Contains("[never]", StringComparison.Ordinal);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(nint address, nuint length, int advice);
}
