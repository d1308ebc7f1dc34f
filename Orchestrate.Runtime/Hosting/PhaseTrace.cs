using System.Diagnostics;

namespace Orchestrate.Hosting;

/// <summary>Start-up phase times on standard error when <c>ORCHESTRATE_TRACE_TIMES=1</c>: milliseconds since the process
/// started (or, finer than the kernel's start time, since <c>ORCHESTRATE_TRACE_T0</c>, nanoseconds since the Unix epoch
/// taken just before the process was started: <c>ORCHESTRATE_TRACE_T0=$(date +%s%N)</c>), for finding where a short
/// run spends its time.</summary>
internal static class PhaseTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("ORCHESTRATE_TRACE_TIMES") == "1";
    private static readonly DateTime Started = !Enabled ? default
        : long.TryParse(Environment.GetEnvironmentVariable("ORCHESTRATE_TRACE_T0"), out var nanoseconds) ? DateTime.UnixEpoch.AddTicks(nanoseconds / 100)
        : Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static void Mark(string phase)
    {
        if (Enabled)
        {
            Console.Error.WriteLine($"[trace] {(DateTime.UtcNow - Started).TotalMilliseconds,8:F1} ms  {phase}  (allocated {GC.GetTotalAllocatedBytes() / 1024} KB, {GC.GetAllocatedBytesForCurrentThread() / 1024} KB on this thread, {GC.CollectionCount(0)} collections ({GC.GetTotalPauseDuration().TotalMilliseconds:F1} ms paused); {System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled at run time in {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F1} ms)");
        }
    }
}
