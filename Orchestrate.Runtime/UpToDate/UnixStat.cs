using System.Runtime.CompilerServices;
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

    /// <summary>
    /// <see cref="TryStatFile(string, string?, out long, out long)"/> of a relative path given in UTF-8, looked up from
    /// <paramref name="directoryDescriptor"/>, a descriptor of <paramref name="directory"/> opened by
    /// <see cref="OpenDirectory"/> (the kernel then walks only the path under it), or from <paramref name="directory"/>'s
    /// own path when it is -1.
    /// </summary>
    [SkipLocalsInit]
    public static bool TryStatFile(string directory, int directoryDescriptor, ReadOnlySpan<byte> relativeUtf8, out long size, out long modifiedTicks)
    {
        size = 0;
        modifiedTicks = 0;
        if (Layout is not { } layout || directoryDescriptor < 0 || relativeUtf8.IsEmpty || relativeUtf8[0] == (byte)'/'
            || relativeUtf8.Length >= 1024 || relativeUtf8.Contains((byte)0))
        {
            return TryStatFile(directory, Encoding.UTF8.GetString(relativeUtf8), out size, out modifiedTicks);
        }

        Span<byte> path = stackalloc byte[relativeUtf8.Length + 1];
        relativeUtf8.CopyTo(path);
        path[^1] = 0;
        Span<byte> buffer = stackalloc byte[256];
        if (StatAt(directoryDescriptor, ref MemoryMarshal.GetReference(path), ref MemoryMarshal.GetReference(buffer), 0) != 0)
        {
            return false;
        }

        size = BitConverter.ToInt64(buffer[layout.Size..]);
        modifiedTicks = DateTime.UnixEpoch.Ticks + Ticks(buffer, layout.Modified);
        return (BitConverter.ToUInt32(buffer[layout.Mode..]) & 0xF000) == 0x8000;
    }

    /// <summary>A descriptor of a directory for <see cref="TryStatFile(string, int, ReadOnlySpan{byte}, out long, out long)"/>
    /// (<c>O_PATH</c>: it reads nothing); -1 where that cannot be done. Give it back with <see cref="CloseDirectory"/>.</summary>
    public static int OpenDirectory(string directory) =>
        Layout is null || directory.Contains('\0') ? -1 : Math.Max(-1, Open(directory, 0x200000 | DirectoryFlag | 0x80000)); // O_PATH | O_DIRECTORY | O_CLOEXEC

    /// <summary><c>O_DIRECTORY</c>, whose value differs between x86-64 and arm64 (the other flags used here do not).</summary>
    internal static int DirectoryFlag => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;

    /// <summary>Closes a descriptor from <see cref="OpenDirectory"/> (nothing for -1).</summary>
    public static void CloseDirectory(int directoryDescriptor)
    {
        if (directoryDescriptor >= 0)
        {
            _ = Close(directoryDescriptor);
        }
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
    [SkipLocalsInit]
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

    // No errno wanted: any failure means "not a file we can use".
    [LibraryImport("libc", EntryPoint = "fstatat")]
    private static partial int StatAt(int directoryDescriptor, ref byte path, ref byte buffer, int flags);

    /// <summary>libc's <c>open</c>: a descriptor, or -1 (the error in <see cref="Marshal.GetLastPInvokeError"/>);
    /// <paramref name="mode"/> is the permission of a file it creates (before the umask).</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, int mode = 0);

    /// <summary>libc's <c>close</c>.</summary>
    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int descriptor);
}
