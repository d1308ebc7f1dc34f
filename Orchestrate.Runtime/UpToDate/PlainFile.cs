using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Orchestrate.UpToDate;

/// <summary>
/// The files a run opens on its way to its first task (the lock, its owner line, the state store), opened with libc's
/// <c>open</c> on Linux and wrapped in a <see cref="SafeFileHandle"/> made with its public constructor. .NET's own open
/// (<see cref="FileStream"/>, <see cref="File.OpenHandle"/>, <see cref="File.WriteAllText(string, string?)"/>) makes its
/// handle with <c>Activator.CreateInstance</c>, whose machinery ReadyToRun cannot keep: seven methods compiled at run
/// time by the first open of the process, ~3-4 ms of every start. Elsewhere (not Linux), .NET's own calls. The locks
/// and errors are those <see cref="FileStream"/> gives: <see cref="FileShare.None"/> takes an exclusive <c>flock</c>,
/// <see cref="FileShare.Read"/> a shared one, and a lock held by another process is an <see cref="IOException"/>.
/// </summary>
internal static partial class PlainFile
{
    private const int ReadOnly = 0;
    private const int WriteOnly = 1;
    private const int ReadWrite = 2;
    private const int Create = 0x40; // O_CREAT
    private const int Truncate = 0x200; // O_TRUNC
    private const int CloseOnExec = 0x80000; // O_CLOEXEC
    private const int LockShared = 1; // LOCK_SH
    private const int LockExclusive = 2; // LOCK_EX
    private const int LockNonBlocking = 4; // LOCK_NB
    private const int NoEntry = 2; // ENOENT
    private const int PermissionDenied = 13; // EACCES
    private const int NotPermitted = 1; // EPERM
    private const int WouldBlock = 11; // EWOULDBLOCK

    // The flag values above are those of x86-64 and arm64 alike.
    private static readonly bool Native = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>A <see cref="FileStream"/> as <c>new FileStream(path, mode, access, share, bufferSize)</c> gives, for
    /// <see cref="FileMode.Open"/>, <see cref="FileMode.OpenOrCreate"/> and <see cref="FileMode.Create"/>.</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096)
    {
        if (!Native || mode is not (FileMode.Open or FileMode.OpenOrCreate or FileMode.Create) || share is not (FileShare.None or FileShare.Read))
        {
            return new FileStream(path, mode, access, share, bufferSize);
        }

        var handle = OpenHandle(path, mode, access);
        try
        {
            // As FileStream does: exclusive for FileShare.None, shared otherwise; without waiting.
            if (Lock(handle, (share == FileShare.None ? LockExclusive : LockShared) | LockNonBlocking) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                throw error == WouldBlock
                    ? new IOException($"The process cannot access the file '{path}' because it is being used by another process.")
                    : Failure(path, error);
            }

            return new FileStream(handle, access, bufferSize);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Writes the text in UTF-8 (no byte order mark) to a new or truncated file, as
    /// <see cref="File.WriteAllText(string, string?)"/> does.</summary>
    public static void WriteAllText(string path, string text)
    {
        if (!Native)
        {
            File.WriteAllText(path, text);
            return;
        }

        using var handle = OpenHandle(path, FileMode.Create, FileAccess.Write);
        RandomAccess.Write(handle, Encoding.UTF8.GetBytes(text), 0);
    }

    /// <summary>The first <paramref name="limit"/> bytes of a file as UTF-8 text (a small file, such as a kernel setting);
    /// null when it cannot be read.</summary>
    public static string? TryReadText(string path, int limit = 4096)
    {
        try
        {
            if (!Native)
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
                var bytes = new byte[limit];
                return Encoding.UTF8.GetString(bytes, 0, stream.ReadAtLeast(bytes, limit, throwOnEndOfStream: false));
            }

            using var handle = OpenHandle(path, FileMode.Open, FileAccess.Read);
            Span<byte> buffer = stackalloc byte[limit];
            var length = 0;
            int read;
            // A file of the kernel's reports a size of 0 (or of a page): read until it says there is no more.
            while (length < limit && (read = RandomAccess.Read(handle, buffer[length..], length)) > 0)
            {
                length += read;
            }

            return Encoding.UTF8.GetString(buffer[..length]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static SafeFileHandle OpenHandle(string path, FileMode mode, FileAccess access)
    {
        var flags = CloseOnExec | access switch
        {
            FileAccess.Read => ReadOnly,
            FileAccess.Write => WriteOnly,
            _ => ReadWrite,
        };
        flags |= mode switch
        {
            FileMode.OpenOrCreate => Create,
            FileMode.Create => Create | Truncate,
            _ => 0,
        };
        if (path.Contains('\0'))
        {
            throw new ArgumentException($"the path {path} holds a NUL character", nameof(path));
        }

        // 0666, less the process's umask, as .NET creates files.
        var descriptor = UnixStat.Open(path, flags, 0x1B6);
        if (descriptor < 0)
        {
            throw Failure(path, Marshal.GetLastPInvokeError());
        }

        return new SafeFileHandle(descriptor, ownsHandle: true);
    }

    // The exception FileStream throws for the same error (the callers tell them apart by type).
    private static Exception Failure(string path, int error)
    {
        var message = $"{Marshal.GetPInvokeErrorMessage(error)}: '{path}'";
        return error switch
        {
            NoEntry => Directory.Exists(Path.GetDirectoryName(path) ?? "/")
                ? new FileNotFoundException(message, path)
                : new DirectoryNotFoundException(message),
            PermissionDenied or NotPermitted => new UnauthorizedAccessException(message),
            _ => new IOException(message, error),
        };
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Lock(SafeFileHandle handle, int operation);
}
