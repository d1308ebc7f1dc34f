using System.Collections.Concurrent;

namespace Orchestrate.Remote.OpenSsh;

/// <summary>
/// The OpenSSH client as transport, as Ansible and execo use it: one master connection per (host, user)
/// with ControlMaster, and every command, shell and file stream multiplexed over it, so a host pays for
/// one key exchange and one authentication per run. <c>BatchMode=yes</c> (never a prompt), a connect
/// timeout, and the user's <c>~/.ssh/config</c> and agent are honoured; host key checking stays as
/// configured unless the inventory opts into <c>accept-new</c>.
/// </summary>
public sealed class OpenSshTransport : IRemoteTransport
{
    private readonly ConcurrentDictionary<(string Host, string? User), Lazy<Task<OpenSshConnection>>> _connections = new();
    private readonly string _controlDirectory;
    private int _next;

    /// <summary>Creates the transport; control sockets go in a private temporary directory.</summary>
    public OpenSshTransport()
    {
        // Unix socket paths are limited to ~108 bytes: keep the directory short.
        _controlDirectory = Path.Combine("/tmp", $"orch-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(_controlDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_controlDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The <c>ssh</c> program; default: <c>ssh</c> on PATH.</summary>
    public string SshProgram { get; init; } = "ssh";

    /// <inheritdoc />
    public async Task<IRemoteConnection> ConnectAsync(HostSpec host, string? user, CancellationToken cancellationToken)
    {
        var key = (host.Name, user ?? host.User);
        var lazy = _connections.GetOrAdd(key, _ => new Lazy<Task<OpenSshConnection>>(() =>
        {
            var socket = Path.Combine(_controlDirectory, $"c{Interlocked.Increment(ref _next)}");
            return OpenSshConnection.OpenAsync(SshProgram, host, user ?? host.User, socket, CancellationToken.None);
        }));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HostUnreachableException)
        {
            // Let a later attempt (a rerun of the step, --check) try again.
            _connections.TryRemove(new KeyValuePair<(string, string?), Lazy<Task<OpenSshConnection>>>(key, lazy));
            throw;
        }
    }

    private static async Task CloseAsync(Task<OpenSshConnection> opened) => await (await opened.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);

    /// <summary>Closes every connection: shells, master processes, control sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        var closing = new List<Task>();
        foreach (var lazy in _connections.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                closing.Add(CloseAsync(lazy.Value));
            }
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
        _connections.Clear();
        try
        {
            Directory.Delete(_controlDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
