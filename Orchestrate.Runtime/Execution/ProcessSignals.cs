using System.Runtime.InteropServices;

namespace Orchestrate.Execution;

/// <summary>Signals .NET's <see cref="System.Diagnostics.Process"/> cannot send: SIGTERM, which lets a process clean up.</summary>
internal static partial class ProcessSignals
{
    private const int SigTerm = 15;

    /// <summary>Asks the process to end (SIGTERM). False when that is not possible here or the process is gone.</summary>
    public static bool Terminate(int processId) => !OperatingSystem.IsWindows() && Kill(processId, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
