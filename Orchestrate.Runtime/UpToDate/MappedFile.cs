using System.Buffers;
using System.Runtime.InteropServices;

namespace Orchestrate.UpToDate;

/// <summary>
/// A file's bytes mapped read-only into memory (Linux): the state store reads its log this way. Reading 1 MB into a
/// fresh array cost ~5 ms here, the kernel faulting in the array's pages one by one as it copied; the mapping takes the
/// page cache's pages as they are, in one call. The mapping lives as long as anything holds this memory (the store's
/// records do, and keep themselves alive while they read it), and is released by the finalizer.
/// </summary>
internal sealed unsafe partial class MappedFile : MemoryManager<byte>
{
    private const int ProtRead = 1;
    private const int MapPrivate = 2;
    private const int MapPopulate = 0x8000; // Linux: map every page now, in the same call
    private static readonly nint Failed = -1;

    private byte* _pointer;
    private readonly int _length;

    private MappedFile(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    // What reads a span of this memory keeps its holder alive until the read is done (the store's records call
    // GC.KeepAlive on themselves), so the finalizer cannot run under a reader.
#pragma warning disable CA2015
    ~MappedFile() => Dispose(false);
#pragma warning restore CA2015

    /// <summary>The first <paramref name="length"/> bytes of the open file; null when they cannot be mapped here
    /// (not Linux, an empty file, a failed call): read them instead.</summary>
    public static MappedFile? TryMap(SafeHandle file, int length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return null;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            var pointer = Map(0, (nuint)length, ProtRead, MapPrivate | MapPopulate, (int)file.DangerousGetHandle(), 0);
            return pointer == Failed ? null : new MappedFile((byte*)pointer, length);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => new(_pointer, _length);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Only the finalizer releases it: a record may still be read while anything holds this memory.
        if (!disposing && _pointer is not null)
        {
            Unmap((nint)_pointer, (nuint)_length);
            _pointer = null;
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint Map(nint address, nuint length, int protection, int flags, int descriptor, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Unmap(nint address, nuint length);
}
