using System.Runtime.InteropServices;

namespace Orchestrate.Reporting;

/// <summary>
/// Standard output as a write-only stream that writes with libc's <c>write</c> on descriptor 1 (Linux), as the
/// console's own stream does, without what <see cref="Console.OpenStandardOutput()"/> costs on every start: it
/// duplicates the descriptor into a handle made through code compiled at run time (~3 ms). Like the console's stream,
/// it writes everything or nothing more: a reader that went away (a closed pipe, <c>| head</c>) is not an error, and a
/// descriptor set non-blocking by another program is waited on. Elsewhere, the console's own stream.
/// </summary>
internal sealed partial class StandardOutputStream : Stream
{
    private const int Descriptor = 1;
    private const int Interrupted = 4; // EINTR
    private const int TryAgain = 11; // EAGAIN
    private const int BrokenPipe = 32; // EPIPE
    private const short PollOut = 4; // POLLOUT

    private bool _closed; // the reader went away: what follows is dropped, as the console's stream drops it

    private StandardOutputStream()
    {
    }

    /// <summary>Standard output: this stream on Linux, the console's elsewhere.</summary>
    public static Stream Open() => OperatingSystem.IsLinux() ? new StandardOutputStream() : Console.OpenStandardOutput();

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException("standard output has no length");

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException("standard output has no position");
        set => throw new NotSupportedException("standard output has no position");
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            var done = 0;
            while (done < buffer.Length && !_closed)
            {
                var written = WriteTo(Descriptor, start + done, (nuint)(buffer.Length - done));
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }

                switch (Marshal.GetLastPInvokeError())
                {
                    case Interrupted:
                        break;
                    case TryAgain:
                        var wanted = new PollDescriptor { Descriptor = Descriptor, Events = PollOut };
                        _ = Poll(&wanted, 1, -1);
                        break;
                    case BrokenPipe:
                        _closed = true;
                        break;
                    case var error:
                        throw new IOException($"cannot write to standard output: {Marshal.GetPInvokeErrorMessage(error)}", error);
                }
            }
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("standard output is not read");

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("standard output has no position");

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("standard output has no length");

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteTo(int descriptor, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollDescriptor* descriptors, nuint count, int timeout);
}
