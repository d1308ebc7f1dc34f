using System.ComponentModel;
using System.Diagnostics;

namespace Orchestrate.Remote.OpenSsh;

/// <summary>
/// A remote shell's three streams and its end: an <c>ssh</c> client process, or a session opened on a master's
/// control socket directly (<see cref="MuxSession"/>).
/// </summary>
internal interface IShellChannel : IDisposable
{
    StreamWriter StandardInput { get; }

    StreamReader StandardOutput { get; }

    StreamReader StandardError { get; }

    /// <summary>True once the channel ended (the ssh process exited, or the master reported the end of the session).</summary>
    bool HasExited { get; }

    Task WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>The remote command's exit code once the channel ended; 255 when the connection failed (as ssh says it).</summary>
    Task<int> ExitCodeAsync(CancellationToken cancellationToken);

    /// <summary>Ends the channel from this side, at once.</summary>
    void Kill();
}

/// <summary>An <c>ssh</c> client process as a shell channel.</summary>
internal sealed class ProcessShellChannel(Process process) : IShellChannel
{
    public StreamWriter StandardInput => process.StandardInput;

    public StreamReader StandardOutput => process.StandardOutput;

    public StreamReader StandardError => process.StandardError;

    public bool HasExited => process.HasExited;

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    public async Task<int> ExitCodeAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
        }
    }

    public void Dispose() => process.Dispose();
}
