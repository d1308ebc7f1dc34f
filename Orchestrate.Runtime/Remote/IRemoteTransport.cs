using Orchestrate.Execution;

namespace Orchestrate.Remote;

/// <summary>
/// How Orchestrate reaches hosts. One connection per (host, user), opened on first use and shared by
/// every step on that host, closed when the transport is disposed (at the end of the run, whatever
/// its outcome). The OpenSSH client is the one implementation today; the interface keeps the rest of
/// the runtime free of it.
/// </summary>
public interface IRemoteTransport : IAsyncDisposable
{
    /// <summary>The connection to a host as a user (null: the host's user), opened if needed.</summary>
    /// <exception cref="HostUnreachableException">The host cannot be reached or refused the login.</exception>
    Task<IRemoteConnection> ConnectAsync(HostSpec host, string? user, CancellationToken cancellationToken);
}

/// <summary>An open connection to one host as one user.</summary>
public interface IRemoteConnection
{
    /// <summary>The host.</summary>
    HostSpec Host { get; }

    /// <summary>The user logged in, or null when the SSH configuration chooses.</summary>
    string? User { get; }

    /// <summary>Runs a command; its lines are streamed as they come. Returns whatever the exit code.</summary>
    /// <exception cref="HostUnreachableException">The connection was lost.</exception>
    Task<RemoteResult> RunAsync(RemoteCommand command, Action<OutputLine>? onLine, CancellationToken cancellationToken);

    /// <summary>
    /// Runs commands one after the other, stopping after the first whose exit code is not in its
    /// <see cref="RemoteCommand.AllowedExitCodes"/>; returns one result per command that ran. A transport may send them
    /// all at once (no round trip between them); this default runs them one by one.
    /// </summary>
    /// <exception cref="HostUnreachableException">The connection was lost.</exception>
    async Task<IReadOnlyList<RemoteResult>> RunSequenceAsync(IReadOnlyList<RemoteCommand> commands, Action<int, OutputLine>? onLine, CancellationToken cancellationToken)
    {
        var results = new List<RemoteResult>(commands.Count);
        for (var k = 0; k < commands.Count; k++)
        {
            var step = k;
            var result = await RunAsync(commands[k], onLine is null ? null : line => onLine(step, line), cancellationToken).ConfigureAwait(false);
            results.Add(result);
            if (result.TimedOut || !commands[k].AllowedExitCodes.Contains(result.ExitCode))
            {
                break;
            }
        }

        return results;
    }

    /// <summary>Writes files into a directory on the host, all in one stream, each written whole.</summary>
    Task UploadAsync(IReadOnlyList<UploadItem> files, string remoteDirectory, CancellationToken cancellationToken);

    /// <summary>Reads one file from the host into a local file, atomically (a temporary file renamed into place).</summary>
    /// <returns>False when the remote file does not exist.</returns>
    Task<bool> DownloadAsync(string remotePath, string localPath, CancellationToken cancellationToken);
}

/// <summary>A local file to upload, under the name it gets in the remote directory.</summary>
/// <param name="LocalPath">The local file.</param>
/// <param name="RemoteName">Its name (or relative path) under the remote directory.</param>
public sealed record UploadItem(string LocalPath, string RemoteName);

/// <summary>How a remote command ended.</summary>
/// <param name="Host">The host.</param>
/// <param name="CommandLine">The command, as shown to the user.</param>
/// <param name="ExitCode">Its exit code (-1 when killed for its timeout).</param>
/// <param name="StdOut">Its standard output.</param>
/// <param name="StdErr">Its standard error.</param>
/// <param name="Duration">Wall-clock time.</param>
/// <param name="TimedOut">True when it was killed for running past its timeout.</param>
public sealed record RemoteResult(string Host, string CommandLine, int ExitCode, string StdOut, string StdErr, TimeSpan Duration, bool TimedOut)
{
    /// <summary>As a <see cref="CommandResult"/>, for the failure messages every task uses.</summary>
    public CommandResult ToCommandResult() => new($"{CommandLine} (on {Host})", ExitCode, StdOut, StdErr, Duration);
}
