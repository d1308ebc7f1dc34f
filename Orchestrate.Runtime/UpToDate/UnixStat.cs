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

    /// <summary><see cref="TryStatFile(string, out long, out long)"/> of <paramref name="relative"/> under
    /// <paramref name="directory"/> (or of <paramref name="relative"/> itself when it is absolute), without making the
    /// joined path as a string: the path is built in UTF-8 on the stack.</summary>
    public static bool TryStatFile(string directory, string relative, out long size, out long modifiedTicks)
    {
        if (!Fast || Joined(directory, relative) is not { } length || length > 1024)
        {
            return TryStatFile(Path.Combine(directory, relative), out size, out modifiedTicks);
        }

        Span<byte> path = stackalloc byte[length + 1];
        Join(directory, relative, path);
        Span<byte> buffer = stackalloc byte[256];
        if (StatUtf8(ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            size = 0;
            modifiedTicks = 0;
            return false;
        }

        var mode = BitConverter.ToUInt32(buffer[24..]);
        size = BitConverter.ToInt64(buffer[48..]);
        modifiedTicks = DateTime.UnixEpoch.Ticks + (BitConverter.ToInt64(buffer[88..]) * TimeSpan.TicksPerSecond) + (BitConverter.ToInt64(buffer[96..]) / 100);
        return (mode & 0xF000) == 0x8000;
    }

    /// <summary><see cref="Exists(string)"/> of <paramref name="relative"/> under <paramref name="directory"/>, without
    /// making the joined path as a string.</summary>
    public static bool Exists(string directory, string relative)
    {
        if (!Fast || Joined(directory, relative) is not { } length || length > 1024)
        {
            return Exists(Path.Combine(directory, relative));
        }

        Span<byte> path = stackalloc byte[length + 1];
        Join(directory, relative, path);
        Span<byte> buffer = stackalloc byte[256];
        return StatUtf8(ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(buffer)) == 0;
    }

    // The stack-built paths are for Linux x64, whose struct stat layout the offsets above are for.
    private static readonly bool Fast = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    // The UTF-8 length of directory + "/" + relative (or of relative alone when it is rooted); null for a path with a NUL.
    private static int? Joined(string directory, string relative)
    {
        if (relative.Length == 0 || relative.Contains('\0') || directory.Contains('\0'))
        {
            return null;
        }

        var tail = System.Text.Encoding.UTF8.GetByteCount(relative);
        return Path.IsPathRooted(relative) ? tail : System.Text.Encoding.UTF8.GetByteCount(directory) + 1 + tail;
    }

    private static void Join(string directory, string relative, Span<byte> path)
    {
        var at = 0;
        if (!Path.IsPathRooted(relative))
        {
            at = System.Text.Encoding.UTF8.GetBytes(directory, path);
            path[at++] = (byte)'/';
        }

        at += System.Text.Encoding.UTF8.GetBytes(relative, path[at..]);
        path[at] = 0;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static partial int StatUtf8(ref byte path, ref byte buffer);
}
