using System.Buffers.Binary;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Orchestrate.Remote.OpenSsh;

/// <summary>
/// A session opened on a running OpenSSH master through its control socket, speaking the master's multiplexing
/// protocol (OpenSSH's PROTOCOL.mux, version 4, "passenger" mode) directly instead of starting an <c>ssh</c> client
/// process to do it. The session's standard input, output and error are three pipes whose far ends are handed to
/// the master over the socket; the master relays them to the remote command, exactly as for an <c>ssh -S</c> client,
/// and reports the command's exit status on the socket.
/// <para>Why: an <c>ssh</c> client costs ~15-25 ms of CPU to start here (dynamic linking, OpenSSL's initialisation,
/// reading its configuration) even when all it does is pass three descriptors to a master; a run over twenty kept
/// connections started twenty of them just to begin. The master does the SSH work either way.</para>
/// <para>Linux x64 and arm64 only (the <c>msghdr</c> layout is written out here); <see cref="TryOpenAsync"/> returns null
/// elsewhere and whenever the master does not answer as expected, and the caller starts an <c>ssh</c> client.</para>
/// </summary>
internal sealed partial class MuxSession : IShellChannel
{
    private const uint Hello = 0x00000001;
    private const uint NewSession = 0x10000002;
    private const uint SessionOpened = 0x80000006;
    private const uint ExitMessage = 0x80000004;
    private const uint TtyAllocFail = 0x80000008;
    private const uint Terminate = 0x10000005;
    private const uint Ok = 0x80000001;
    private const uint ProtocolVersion = 4;

    private readonly Socket _control;
    private readonly AnonymousPipeServerStream _input;
    private readonly AnonymousPipeServerStream _output;
    private readonly AnonymousPipeServerStream _error;
    private readonly Task<int?> _exit;

    private MuxSession(Socket control, AnonymousPipeServerStream input, AnonymousPipeServerStream output, AnonymousPipeServerStream error)
    {
        _control = control;
        _input = input;
        _output = output;
        _error = error;
        StandardInput = new StreamWriter(input, new UTF8Encoding(false)) { AutoFlush = false };
        StandardOutput = new StreamReader(output, Encoding.UTF8);
        StandardError = new StreamReader(error, Encoding.UTF8);
        _exit = WaitForExitMessageAsync();
    }

    public StreamWriter StandardInput { get; }

    public StreamReader StandardOutput { get; }

    public StreamReader StandardError { get; }

    public bool HasExited => _exit.IsCompleted;

    /// <summary>The remote command's exit status, or null when the master went away without reporting one.</summary>
    public Task<int?> Exit => _exit;

    /// <summary>
    /// Opens a session running <paramref name="command"/> on the master listening at <paramref name="socketPath"/>;
    /// null when there is no live master there, it speaks another protocol version, or it refuses the session.
    /// Waits at most <paramref name="timeout"/> for the master's answers.
    /// </summary>
    public static async Task<MuxSession?> TryOpenAsync(string socketPath, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!IsSupported || !File.Exists(socketPath))
        {
            return null;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var control = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        AnonymousPipeServerStream? input = null, output = null, error = null;
        try
        {
            await control.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), limit.Token).ConfigureAwait(false);
            if (!await GreetAsync(control, limit.Token).ConfigureAwait(false))
            {
                return Fail();
            }

            await SendAsync(control, Message(NewSession, w => w
                .UInt32(1)              // request id
                .String("")             // reserved
                .UInt32(0)              // tty
                .UInt32(0)              // X11 forwarding
                .UInt32(0)              // agent forwarding
                .UInt32(0)              // subsystem
                .UInt32(0xffffffff)     // no escape character
                .String("")             // terminal type
                .String(command)), limit.Token).ConfigureAwait(false);
            input = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.None);
            output = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.None);
            error = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.None);
            foreach (var far in new[] { input, output, error })
            {
                await SendDescriptorAsync(control, far.ClientSafePipeHandle, limit.Token).ConfigureAwait(false);
                far.DisposeLocalCopyOfClientHandle();
            }

            if (await ReceiveAsync(control, limit.Token).ConfigureAwait(false) is not { } opened || ReadUInt32(opened, 0) != SessionOpened)
            {
                return Fail();
            }

            return new MuxSession(control, input, output, error);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Fail();
        }
        catch
        {
            Fail();
            throw;
        }

        MuxSession? Fail()
        {
            input?.Dispose();
            output?.Dispose();
            error?.Dispose();
            control.Dispose();
            return null;
        }
    }

    /// <summary>
    /// Asks the master listening at <paramref name="socketPath"/> to exit, as <c>ssh -O exit</c> does, on its control
    /// socket. True: it agreed; false: no master listens there (a socket left by one that died); null: it answered
    /// otherwise, or this platform is not supported (ask an <c>ssh</c> client instead).
    /// </summary>
    public static async Task<bool?> TryTerminateAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!IsSupported)
        {
            return null;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var control = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await control.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), limit.Token).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return false;
        }

        try
        {
            if (!await GreetAsync(control, limit.Token).ConfigureAwait(false))
            {
                return null;
            }

            await SendAsync(control, Message(Terminate, w => w.UInt32(1)), limit.Token).ConfigureAwait(false);
            // The master may close the socket as it exits instead of answering: that is a yes too.
            var answer = await ReceiveAsync(control, limit.Token).ConfigureAwait(false);
            return answer is null || ReadUInt32(answer, 0) == Ok ? true : null;
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    // The protocol's hello, both ways: false when the master speaks another version (or not this protocol).
    private static async Task<bool> GreetAsync(Socket control, CancellationToken cancellationToken)
    {
        await SendAsync(control, Message(Hello, w => w.UInt32(ProtocolVersion)), cancellationToken).ConfigureAwait(false);
        return await ReceiveAsync(control, cancellationToken).ConfigureAwait(false) is { Length: >= 8 } hello
            && ReadUInt32(hello, 0) == Hello && ReadUInt32(hello, 4) == ProtocolVersion;
    }

    /// <summary>True where descriptors can be passed as written here: Linux on x64 and arm64.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public async Task WaitForExitAsync(CancellationToken cancellationToken) => await _exit.WaitAsync(cancellationToken).ConfigureAwait(false);

    // A session whose master went away without an exit status failed as an ssh client would: 255.
    public async Task<int> ExitCodeAsync(CancellationToken cancellationToken) => await _exit.WaitAsync(cancellationToken).ConfigureAwait(false) ?? 255;

    /// <summary>Ends the session from this side: the control connection closes (the master then closes the session's
    /// channel) and so do this side's pipe ends.</summary>
    public void Kill()
    {
        _control.Dispose();
        _input.Dispose();
    }

    public void Dispose()
    {
        _control.Dispose();
        try
        {
            StandardInput.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The far end is gone, or Kill closed the pipe already: nothing left to flush.
        }

        StandardOutput.Dispose();
        StandardError.Dispose();
    }

    private async Task<int?> WaitForExitMessageAsync()
    {
        try
        {
            // After the session opened, the master speaks once more: the exit status (a TTY failure notice may come first).
            while (await ReceiveAsync(_control, CancellationToken.None).ConfigureAwait(false) is { } message)
            {
                switch (ReadUInt32(message, 0))
                {
                    case ExitMessage when message.Length >= 12:
                        return (int)ReadUInt32(message, 8);
                    case TtyAllocFail:
                        continue;
                    default:
                        return null;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
        }

        return null;
    }

    private static uint ReadUInt32(byte[] bytes, int offset) => BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));

    private static byte[] Message(uint type, Func<Writer, Writer> body) => body(new Writer().UInt32(type)).ToPacket();

    private static async Task SendAsync(Socket socket, byte[] packet, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < packet.Length)
        {
            sent += await socket.SendAsync(packet.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    // One packet: a big-endian length, then that many bytes. Null when the master closed the socket or sent nonsense.
    private static async Task<byte[]?> ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await ReceiveExactlyAsync(socket, header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length is < 4 or > 256 * 1024)
        {
            return null;
        }

        var body = new byte[length];
        return await ReceiveExactlyAsync(socket, body, cancellationToken).ConfigureAwait(false) ? body : null;
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    // The socket is non-blocking once .NET used it asynchronously: a full send buffer (EAGAIN) waits a little and retries.
    private static async Task SendDescriptorAsync(Socket socket, SafeHandle descriptor, CancellationToken cancellationToken)
    {
        while (!TrySendDescriptor(socket, descriptor))
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    // One descriptor per message, with one byte of data, as OpenSSH's own client sends them (SCM_RIGHTS).
    private static unsafe bool TrySendDescriptor(Socket socket, SafeHandle descriptor)
    {
        var added = false;
        descriptor.DangerousAddRef(ref added);
        try
        {
            byte data = 0;
            var iov = new IoVector { Base = &data, Length = 1 };
            // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } followed by the int, padded to 8 bytes.
            var control = stackalloc byte[24];
            new Span<byte>(control, 24).Clear();
            *(ulong*)control = 20;          // CMSG_LEN(sizeof(int))
            *(int*)(control + 8) = 1;       // SOL_SOCKET
            *(int*)(control + 12) = 1;      // SCM_RIGHTS
            *(int*)(control + 16) = (int)descriptor.DangerousGetHandle();
            var header = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = 24 };
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            while (SendMessage(fd, &header, 0) != 1)
            {
                switch (Marshal.GetLastPInvokeError())
                {
                    case 4: // EINTR
                        continue;
                    case 11: // EAGAIN
                        return false;
                    case var errno:
                        throw new IOException($"cannot pass a descriptor to the ssh master (errno {errno})");
                }
            }

            return true;
        }
        finally
        {
            if (added)
            {
                descriptor.DangerousRelease();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    // struct msghdr on 64-bit Linux.
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendMessage(int socket, MessageHeader* message, int flags);

    /// <summary>SSH wire format: big-endian uint32s (OpenSSH's master reads the session's flags as uint32s, whatever PROTOCOL.mux calls them), strings as a length and UTF-8 bytes.</summary>
    private sealed class Writer
    {
        private readonly MemoryStream _bytes = new();

        public Writer UInt32(uint value)
        {
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(buffer, value);
            _bytes.Write(buffer);
            return this;
        }

        public Writer String(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            UInt32((uint)bytes.Length);
            _bytes.Write(bytes);
            return this;
        }

        public byte[] ToPacket()
        {
            var packet = new byte[4 + _bytes.Length];
            BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)_bytes.Length);
            _bytes.GetBuffer().AsSpan(0, (int)_bytes.Length).CopyTo(packet.AsSpan(4));
            return packet;
        }
    }
}
