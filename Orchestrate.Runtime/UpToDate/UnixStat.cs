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
            Architecture.Arm64 => 104,
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

    /// <summary>Size and modification time of a file in one <c>stat</c> call, without allocating: the hot path of
    /// a no-op run. False when it does not exist (or is not a regular file). Falls back to <see cref="FileInfo"/>
    /// where the layout of <c>struct stat</c> is not known.</summary>
    public static bool TryStatFile(string path, out long size, out long modifiedTicks)
    {
        // Offsets in glibc's struct stat: x86-64, and the generic layout arm64 uses.
        var (modeAt, sizeAt, mtimeAt) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 when OperatingSystem.IsLinux() => (24, 48, 88),
            Architecture.Arm64 when OperatingSystem.IsLinux() => (16, 48, 88),
            _ => (-1, -1, -1),
        };
        if (sizeAt < 0)
        {
            var info = new FileInfo(path);
            size = info.Exists ? info.Length : 0;
            modifiedTicks = info.Exists ? info.LastWriteTimeUtc.Ticks : 0;
            return info.Exists;
        }

        Span<byte> buffer = stackalloc byte[256];
        if (Stat(path, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            size = 0;
            modifiedTicks = 0;
            return false;
        }

        // Require a regular file (S_IFREG), as FileInfo.Exists does.
        var mode = BitConverter.ToUInt32(buffer[modeAt..]);
        var isRegular = (mode & 0xF000) == 0x8000;
        size = BitConverter.ToInt64(buffer[sizeAt..]);
        var seconds = BitConverter.ToInt64(buffer[mtimeAt..]);
        var nanoseconds = BitConverter.ToInt64(buffer[(mtimeAt + 8)..]);
        modifiedTicks = DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);
        return isRegular;
    }

    /// <summary>True when anything exists at the path (one <c>stat</c>, following links, as <see cref="Path.Exists"/>).</summary>
    public static bool Exists(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return Path.Exists(path);
        }

        Span<byte> buffer = stackalloc byte[256];
        return Stat(path, ref MemoryMarshal.GetReference(buffer)) == 0;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ref byte buffer);
}
