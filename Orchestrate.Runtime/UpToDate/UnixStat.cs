using System.Runtime.InteropServices;
using System.Text;

namespace Orchestrate.UpToDate;

/// <summary>
/// Size, modification time and status-change time (ctime, which .NET does not expose) of files, read with libc's
/// <c>stat</c> on the Linux architectures whose <c>struct stat</c> layout is known: one system call, no allocation,
/// the path built in UTF-8 on the stack (a project directory and a path under it are joined there, not as a string).
/// Elsewhere, <see cref="FileInfo"/> and <see cref="Path.Exists"/> answer, and ctime is not available.
/// </summary>
internal static partial class UnixStat
{
    // Offsets in glibc's struct stat of st_mode, st_size, st_mtim and st_ctim: x86-64, and the generic layout arm64 uses.
    private static readonly (int Mode, int Size, int Modified, int Changed)? Layout = !OperatingSystem.IsLinux()
        ? null
        : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => (24, 48, 88, 104),
            Architecture.Arm64 => (16, 48, 88, 104),
            _ => null,
        };

    public static DateTime ChangeTimeUtc(string path)
    {
        if (Layout is not { } layout)
        {
            throw new PlatformNotSupportedException("the status-change time (ctime) is read on Linux x64 and arm64 only: use TimestampKind.Modified");
        }

        Span<byte> buffer = stackalloc byte[256];
        if (!StatInto(path, null, buffer))
        {
            throw new IOException($"cannot stat {path}: error {Marshal.GetLastPInvokeError()}");
        }

        return DateTime.UnixEpoch.AddTicks(Ticks(buffer, layout.Changed));
    }

    /// <summary>Size and modification time of a file in one <c>stat</c> call, without allocating: the hot path of
    /// a no-op run. False when it does not exist (or is not a regular file).</summary>
    public static bool TryStatFile(string path, out long size, out long modifiedTicks) => TryStatFile(path, null, out size, out modifiedTicks);

    /// <summary><see cref="TryStatFile(string, out long, out long)"/> of <paramref name="relative"/> under
    /// <paramref name="directory"/> (or of <paramref name="relative"/> itself when it is absolute).</summary>
    public static bool TryStatFile(string directory, string? relative, out long size, out long modifiedTicks)
    {
        if (Layout is not { } layout)
        {
            var info = new FileInfo(relative is null ? directory : Path.Combine(directory, relative));
            size = info.Exists ? info.Length : 0;
            modifiedTicks = info.Exists ? info.LastWriteTimeUtc.Ticks : 0;
            return info.Exists;
        }

        Span<byte> buffer = stackalloc byte[256];
        if (!StatInto(directory, relative, buffer))
        {
            size = 0;
            modifiedTicks = 0;
            return false;
        }

        size = BitConverter.ToInt64(buffer[layout.Size..]);
        modifiedTicks = DateTime.UnixEpoch.Ticks + Ticks(buffer, layout.Modified);
        // Require a regular file (S_IFREG), as FileInfo.Exists does.
        return (BitConverter.ToUInt32(buffer[layout.Mode..]) & 0xF000) == 0x8000;
    }

    /// <summary>True when anything exists at the path (one <c>stat</c>, following links, as <see cref="Path.Exists"/>).</summary>
    public static bool Exists(string path) => Exists(path, null);

    /// <summary><see cref="Exists(string)"/> of <paramref name="relative"/> under <paramref name="directory"/>.</summary>
    public static bool Exists(string directory, string? relative)
    {
        if (Layout is null)
        {
            return Path.Exists(relative is null ? directory : Path.Combine(directory, relative));
        }

        Span<byte> buffer = stackalloc byte[256];
        return StatInto(directory, relative, buffer);
    }

    private static long Ticks(ReadOnlySpan<byte> buffer, int at) =>
        (BitConverter.ToInt64(buffer[at..]) * TimeSpan.TicksPerSecond) + (BitConverter.ToInt64(buffer[(at + 8)..]) / 100);

    // stat of directory + "/" + relative (of relative alone when it is rooted, of directory alone without one), the
    // path built in UTF-8 on the stack (on the heap past a kilobyte). A path holding a NUL names no file.
    private static bool StatInto(string directory, string? relative, Span<byte> buffer)
    {
        var joined = !string.IsNullOrEmpty(relative) && !Path.IsPathRooted(relative);
        var head = joined || string.IsNullOrEmpty(relative) ? directory : relative!;
        if (head.Contains('\0') || (joined && relative!.Contains('\0')))
        {
            return false;
        }

        var length = Encoding.UTF8.GetByteCount(head) + (joined ? 1 + Encoding.UTF8.GetByteCount(relative!) : 0);
        Span<byte> path = length < 1024 ? stackalloc byte[length + 1] : new byte[length + 1];
        var at = Encoding.UTF8.GetBytes(head, path);
        if (joined)
        {
            path[at++] = (byte)'/';
            at += Encoding.UTF8.GetBytes(relative, path[at..]);
        }

        path[at] = 0;
        return Stat(ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(buffer)) == 0;
    }

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static partial int Stat(ref byte path, ref byte buffer);
}
