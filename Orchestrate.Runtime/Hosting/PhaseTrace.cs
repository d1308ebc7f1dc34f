using System.Diagnostics;

namespace Orchestrate.Hosting;

/// <summary>Start-up phase times on standard error when <c>ORCHESTRATE_TRACE_TIMES=1</c>: milliseconds since the process
/// started, for finding where a short run spends its time.</summary>
internal static class PhaseTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("ORCHESTRATE_TRACE_TIMES") == "1";
    private static readonly DateTime Started = Enabled ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;

    public static void Mark(string phase)
    {
        if (Enabled)
        {
            Console.Error.WriteLine($"[trace] {(DateTime.UtcNow - Started).TotalMilliseconds,8:F1} ms  {phase}  (gc {GC.GetTotalAllocatedBytes() / 1024} KB, {GC.CollectionCount(0)} gen0)");
        }
    }
}
