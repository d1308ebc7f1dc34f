using System.Runtime.InteropServices;

namespace Orchestrate.UpToDate;

/// <summary>The status-change time (ctime) of a file, which .NET does not expose: read with libc's
/// <c>stat</c> on the Linux architectures whose <c>struct stat</c> layout is known.</summary>
internal static partial class UnixStat
{
    public static DateTime ChangeTimeUtc(string path)
    {
        var offset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 104,
            Architecture.Arm64 => 96,
            _ => -1,
        };
        if (!OperatingSystem.IsLinux() || offset < 0)
        {
            throw new PlatformNotSupportedException("the status-change time (ctime) is read on Linux x64 and arm64 only: use TimestampKind.Modified");
        }

        Span<byte> buffer = stackalloc byte[256];
        if (Stat(path, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            throw new IOException($"cannot stat {path}: error {Marshal.GetLastPInvokeError()}");
        }

        var seconds = BitConverter.ToInt64(buffer[offset..]);
        var nanoseconds = BitConverter.ToInt64(buffer[(offset + 8)..]);
        return DateTime.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100));
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ref byte buffer);
}
