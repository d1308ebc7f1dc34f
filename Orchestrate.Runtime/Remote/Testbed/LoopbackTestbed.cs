using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrate.Remote.Testbed;

/// <summary>
/// Real SSH hosts on loopback for tests, benchmarks and samples: one OpenSSH <c>sshd</c> per host
/// (<c>node1</c> on 127.0.0.2, <c>node2</c> on 127.0.0.3, ...), each with its own ed25519 host key,
/// all accepting one client key for one dedicated unprivileged user. Host key checking stays on:
/// the testbed writes a <see cref="KnownHostsFile"/> with every host's key.
/// </summary>
/// <remarks>
/// Needs Linux, root (to run sshd and create the user) and OpenSSH
/// (<c>apt-get install openssh-server openssh-client</c>). When one of these is missing,
/// <see cref="StartAsync"/> throws <see cref="TestbedUnavailableException"/> with a one-line reason.
/// Dispose it: that stops every sshd it started (and only those) and deletes its temporary directory.
/// </remarks>
public sealed class LoopbackTestbed : IAsyncDisposable
{
    private const string AcceptedMarker = "Accepted publickey for ";
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);

    private readonly HostState[] _hosts;
    private readonly bool _ownsDirectory;
    private readonly string _sshd;
    private readonly TimeSpan _startTimeout;
    private readonly EventHandler _onProcessExit;
    private int _disposed;
    private IReadOnlyList<string> _sudoersFiles = [];

    private LoopbackTestbed(string directory, bool ownsDirectory, string user, string sshd, string identityFile,
        string knownHostsFile, string sshConfigFile, HostState[] hosts, TimeSpan startTimeout)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        User = user;
        _sshd = sshd;
        IdentityFile = identityFile;
        KnownHostsFile = knownHostsFile;
        SshConfigFile = sshConfigFile;
        _hosts = hosts;
        _startTimeout = startTimeout;
        Hosts = Array.AsReadOnly(hosts.Select(h => h.Host).ToArray());
        // If the test process ends without disposing (an unhandled failure), its sshd processes must not outlive it.
        _onProcessExit = (_, _) => KillAll();
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    /// <summary>The hosts, <c>node1</c> first; the index in this list is what <see cref="StopHostAsync"/> takes.</summary>
    public IReadOnlyList<TestbedHost> Hosts { get; }

    /// <summary>
    /// A known_hosts file with every host's key, one plain line per host
    /// (<c>[127.0.0.2]:2222 ssh-ed25519 AAAA...</c>).
    /// </summary>
    public string KnownHostsFile { get; }

    /// <summary>The client's private key (ed25519, mode 0600), authorized on every host.</summary>
    public string IdentityFile { get; }

    /// <summary>The unprivileged account every host accepts, e.g. <c>orchestrate</c>.</summary>
    public string User { get; }

    /// <summary>The testbed's directory: keys, sshd configurations, pid files and logs.</summary>
    public string Directory { get; }

    /// <summary>
    /// An ssh_config with one <c>Host nodeN</c> entry per host (address, port, user, key, known_hosts),
    /// so that <c>ssh -F &lt;this file&gt; node1 true</c> works.
    /// </summary>
    public string SshConfigFile { get; }

    /// <summary>
    /// Why the testbed cannot run on this machine (one line, e.g. <c>not root</c> or
    /// <c>sshd not installed: apt-get install openssh-server</c>), or <see langword="null"/> if it can.
    /// Cheap: starts nothing.
    /// </summary>
    public static string? CheckPrerequisites()
    {
        if (!OperatingSystem.IsLinux()) return "the loopback SSH testbed needs Linux";
        if (!TestbedCommand.IsRoot()) return "not root (the loopback SSH testbed runs sshd and creates a user)";
        if (TestbedCommand.Find("sshd") is null) return "sshd not installed: apt-get install openssh-server";
        if (TestbedCommand.Find("ssh") is null) return "ssh not installed: apt-get install openssh-client";
        if (TestbedCommand.Find("ssh-keygen") is null) return "ssh-keygen not installed: apt-get install openssh-client";
        if (TestbedCommand.Find("useradd") is null || TestbedCommand.Find("usermod") is null) return "useradd/usermod not installed: apt-get install passwd";
        return null;
    }

    /// <summary>
    /// Starts the hosts (in parallel) and returns once every one accepts SSH connections and a real
    /// login to <c>node1</c> succeeded.
    /// </summary>
    /// <exception cref="TestbedUnavailableException">The testbed cannot run here or a host did not come up; the message says why in one line.</exception>
    public static async Task<LoopbackTestbed> StartAsync(LoopbackTestbedOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Hosts < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Hosts, "Hosts must be at least 1");
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be 0..65535");
        if (options.StartTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), options.StartTimeout, "StartTimeout must be positive");
        TestbedUser.Validate(options.User);
        foreach (var extra in options.ExtraUsers)
        {
            TestbedUser.Validate(extra);
        }

        var addresses = Addresses(options.FirstAddress, options.Hosts);

        if (CheckPrerequisites() is { } missing) throw Missing(missing);
        var sshd = TestbedCommand.Find("sshd")!;
        var ssh = TestbedCommand.Find("ssh")!;
        var keygen = TestbedCommand.Find("ssh-keygen")!;

        var ownsDirectory = options.Directory is null;
        string directory;
        if (options.Directory is { } given)
        {
            directory = Path.GetFullPath(given);
            System.IO.Directory.CreateDirectory(directory);
        }
        else
        {
            directory = System.IO.Directory.CreateTempSubdirectory("orchestrate-testbed-").FullName;
        }
        if (directory.IndexOfAny(['"', '%', '\n', '\r']) >= 0)
            throw new ArgumentException($"the testbed directory may not contain '\"', '%' or line breaks: {directory}", nameof(options));

        LoopbackTestbed? testbed = null;
        try
        {
            // sshd reads the authorized key file with the user's privileges: the directory must be traversable.
            SetMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            EnsurePrivilegeSeparationDirectory();

            var identityFile = Path.Combine(directory, "id_ed25519");
            var keyTasks = new List<Task> { TestbedUser.EnsureAsync(options.User, ct), GenerateKeyAsync(keygen, identityFile, "orchestrate-testbed-client", ct) };
            foreach (var extra in options.ExtraUsers)
            {
                // One at a time after the first: useradd locks /etc/passwd.
                await TestbedUser.EnsureAsync(extra, ct).ConfigureAwait(false);
            }

            var sudoers = GrantSudo(options);
            var port = options.Port != 0 ? options.Port : PickFreePort(addresses);
            var states = new HostState[options.Hosts];
            for (var i = 0; i < states.Length; i++)
            {
                var name = $"node{(i + 1).ToString(CultureInfo.InvariantCulture)}";
                states[i] = new HostState(new TestbedHost(name, addresses[i], port, options.User),
                    ConfigFile: Path.Combine(directory, $"sshd_{name}.conf"),
                    LogFile: Path.Combine(directory, $"sshd_{name}.log"),
                    PidFile: Path.Combine(directory, $"sshd_{name}.pid"),
                    HostKeyFile: Path.Combine(directory, $"ssh_host_{name}_ed25519"));
                keyTasks.Add(GenerateKeyAsync(keygen, states[i].HostKeyFile, name, ct));
            }
            await Task.WhenAll(keyTasks).ConfigureAwait(false);

            var authorizedKeys = Path.Combine(directory, "authorized_keys");
            await File.WriteAllTextAsync(authorizedKeys, PublicKey(identityFile + ".pub") + "\n", ct).ConfigureAwait(false);
            SetMode(authorizedKeys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            var knownHosts = Path.Combine(directory, "known_hosts");
            var lines = states.Select(s => $"{KnownHostsName(s.Host)} {PublicKey(s.HostKeyFile + ".pub")}");
            await File.WriteAllTextAsync(knownHosts, string.Join("\n", lines) + "\n", ct).ConfigureAwait(false);

            var penalties = true;
            await WriteConfigsAsync(states, authorizedKeys, string.Join(' ', [options.User, .. options.ExtraUsers]), penalties, ct).ConfigureAwait(false);
            var check = await TestbedCommand.RunAsync(sshd, ["-t", "-f", states[0].ConfigFile], s_toolTimeout, ct).ConfigureAwait(false);
            if (check.ExitCode != 0 && check.Output.Contains("PerSourcePenalties", StringComparison.Ordinal))
            {
                // OpenSSH before 9.8 has no per-source penalties (and rejects the keyword).
                penalties = false;
                await WriteConfigsAsync(states, authorizedKeys, string.Join(' ', [options.User, .. options.ExtraUsers]), penalties, ct).ConfigureAwait(false);
                check = await TestbedCommand.RunAsync(sshd, ["-t", "-f", states[0].ConfigFile], s_toolTimeout, ct).ConfigureAwait(false);
            }
            if (check.ExitCode != 0)
                throw new TestbedUnavailableException($"sshd rejects the testbed configuration: {check.FirstLine}", check.Output, missingPrerequisite: false);

            var sshConfig = Path.Combine(directory, "ssh_config");
            await File.WriteAllTextAsync(sshConfig, ClientConfig(states, identityFile, knownHosts), ct).ConfigureAwait(false);

            testbed = new LoopbackTestbed(directory, ownsDirectory, options.User, sshd, identityFile, knownHosts, sshConfig, states, options.StartTimeout)
            {
                _sudoersFiles = sudoers,
            };
            await Task.WhenAll(states.Select(s => testbed.StartSshdAsync(s, ct))).ConfigureAwait(false);
            await testbed.ProbeLoginAsync(ssh, states[0], ct).ConfigureAwait(false);
            foreach (var state in states) state.AuthenticationBaseline = CountAccepted(state.LogFile);
            return testbed;
        }
        catch
        {
            if (testbed is not null) await testbed.DisposeAsync().ConfigureAwait(false);
            else if (ownsDirectory) DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>
    /// The options an OpenSSH client needs to reach <paramref name="host"/>:
    /// <c>-o UserKnownHostsFile=... -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i key -p port</c>.
    /// StrictHostKeyChecking is left at its default (on); add <c>user@address</c> and the command.
    /// </summary>
    public IReadOnlyList<string> SshOptions(TestbedHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return
        [
            "-o", "UserKnownHostsFile=" + ConfigValue(KnownHostsFile),
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes",
            "-i", IdentityFile,
            "-p", host.Port.ToString(CultureInfo.InvariantCulture),
        ];
    }

    /// <summary>
    /// Kills the sshd of host <paramref name="index"/> (0 = <c>node1</c>) and every session it runs:
    /// the host then refuses connections, and open (multiplexed) connections to it drop. No-op if already stopped.
    /// </summary>
    public async Task StopHostAsync(int index)
    {
        var state = StateAt(index);
        await state.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await KillAsync(state).ConfigureAwait(false);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>Starts the sshd of host <paramref name="index"/> (0 = <c>node1</c>) again and waits until it accepts connections. No-op if running.</summary>
    /// <exception cref="TestbedUnavailableException">The host did not come back (e.g. its port was taken meanwhile).</exception>
    public async Task StartHostAsync(int index)
    {
        var state = StateAt(index);
        await state.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (state.Sshd is { HasExited: false }) return;
            await StartSshdAsync(state, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// How many successful public key logins <paramref name="host"/> saw since <see cref="StartAsync"/> returned
    /// (the "Accepted publickey for" lines of its sshd log; the start-up probe is not counted). Each new SSH
    /// connection counts once; sessions multiplexed over an existing connection do not.
    /// </summary>
    public int CountAuthentications(TestbedHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var state = _hosts.FirstOrDefault(s => s.Host.Name == host.Name)
            ?? throw new ArgumentException($"{host.Name} is not a host of this testbed", nameof(host));
        return CountAccepted(state.LogFile) - state.AuthenticationBaseline;
    }

    /// <summary>The last lines of a host's sshd log, for failure messages.</summary>
    public string LogTail(TestbedHost host, int lines = 20)
    {
        ArgumentNullException.ThrowIfNull(host);
        var state = _hosts.FirstOrDefault(s => s.Host.Name == host.Name)
            ?? throw new ArgumentException($"{host.Name} is not a host of this testbed", nameof(host));
        return Tail(state.LogFile, lines);
    }

    /// <summary>Stops every sshd this testbed started and deletes its temporary directory. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        await Task.WhenAll(_hosts.Select(KillAsync)).ConfigureAwait(false);
        foreach (var file in _sudoersFiles)
        {
            File.Delete(file);
        }

        if (_ownsDirectory) DeleteDirectory(Directory);
    }

    // Passwordless sudo for the users asked for, each in a file of its own under /etc/sudoers.d.
    private static IReadOnlyList<string> GrantSudo(LoopbackTestbedOptions options)
    {
        if (options.SudoUsers.Count == 0) return [];
        foreach (var user in options.SudoUsers)
        {
            if (!options.ExtraUsers.Contains(user))
                throw new ArgumentException($"sudo user '{user}' must be one of ExtraUsers", nameof(options));
        }

        if (TestbedCommand.Find("sudo") is null || !System.IO.Directory.Exists("/etc/sudoers.d"))
            throw new TestbedUnavailableException("sudo not installed: apt-get install sudo", null, missingPrerequisite: true);
        var files = new List<string>();
        foreach (var user in options.SudoUsers)
        {
            var file = $"/etc/sudoers.d/orchestrate-testbed-{user}";
            File.WriteAllText(file, $"{user} ALL=(ALL) NOPASSWD: ALL\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            files.Add(file);
        }

        return files;
    }

    private HostState StateAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _hosts.Length);
        return _hosts[index];
    }

    private async Task StartSshdAsync(HostState state, CancellationToken ct)
    {
        var host = state.Host;
        if (!PortIsFree(host.Address, host.Port))
            throw new TestbedUnavailableException($"port {host.Port} busy on {host.Address}", null, missingPrerequisite: false);
        File.Delete(state.PidFile);

        var info = new ProcessStartInfo(_sshd)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-D", "-f", state.ConfigFile, "-E", state.LogFile]) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        state.Sshd = process;

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                var tail = Tail(state.LogFile, 15);
                var reason = tail.Contains("Address already in use", StringComparison.Ordinal)
                    ? $"port {host.Port} busy on {host.Address}"
                    : $"sshd for {host.Name} ({host.Address}:{host.Port}) exited with code {process.ExitCode}: {LastLine(tail)}";
                throw new TestbedUnavailableException(reason, tail, missingPrerequisite: false);
            }
            if (await ReadsBannerAsync(host, ct).ConfigureAwait(false)) return;
            if (deadline.Elapsed > _startTimeout)
            {
                await KillAsync(state).ConfigureAwait(false);
                var tail = Tail(state.LogFile, 15);
                throw new TestbedUnavailableException(
                    $"{host.Name} ({host.Address}:{host.Port}) did not accept SSH connections within {_startTimeout.TotalSeconds:0.#} s",
                    tail, missingPrerequisite: false);
            }
            await Task.Delay(25, ct).ConfigureAwait(false);
        }
    }

    private static async Task<bool> ReadsBannerAsync(TestbedHost host, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Parse(host.Address), host.Port, limit.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            var buffer = new byte[256];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), limit.Token).ConfigureAwait(false);
                if (n == 0) break;
                read += n;
                if (Array.IndexOf(buffer, (byte)'\n', 0, read) >= 0) break;
            }
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("SSH-", StringComparison.Ordinal);
        }
        catch (SocketException) { return false; }
        catch (IOException) { return false; }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
    }

    private async Task ProbeLoginAsync(string ssh, HostState state, CancellationToken ct)
    {
        var arguments = SshOptions(state.Host).Concat(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", state.Host.Destination, "true"]);
        var result = await TestbedCommand.RunAsync(ssh, arguments, s_toolTimeout, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new TestbedUnavailableException(
                $"login to {state.Host.Name} as {state.Host.User} failed (ssh exit {result.ExitCode}): {LastLine(result.Output)}",
                result.Output + Environment.NewLine + Tail(state.LogFile, 15), missingPrerequisite: false);
    }

    private static async Task KillAsync(HostState state)
    {
        var process = state.Sshd;
        if (process is null) return;
        state.Sshd = null;
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException) { }
        catch (OperationCanceledException) { }
        finally
        {
            process.Dispose();
            try { File.Delete(state.PidFile); } catch (IOException) { }
        }
    }

    private void KillAll()
    {
        foreach (var state in _hosts)
        {
            try
            {
                if (state.Sshd is { HasExited: false } process) process.Kill(entireProcessTree: true);
            }
            catch (SystemException) { } // already exited or disposed: nothing left to stop
        }
    }

    private static async Task WriteConfigsAsync(HostState[] states, string authorizedKeys, string user, bool penalties, CancellationToken ct)
    {
        foreach (var state in states)
        {
            var host = state.Host;
            var config = new StringBuilder()
                .Append("# Orchestrate loopback testbed: ").Append(host.Name).Append('\n')
                .Append("ListenAddress ").Append(host.Address).Append('\n')
                .Append("Port ").Append(host.Port.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("HostKey ").Append(ConfigValue(state.HostKeyFile)).Append('\n')
                .Append("PidFile ").Append(ConfigValue(state.PidFile)).Append('\n')
                .Append("AuthorizedKeysFile ").Append(ConfigValue(authorizedKeys)).Append('\n')
                .Append("AllowUsers ").Append(user).Append('\n')
                .Append("PermitRootLogin no\n")
                .Append("StrictModes no\n")
                .Append("PubkeyAuthentication yes\n")
                .Append("PasswordAuthentication no\n")
                .Append("KbdInteractiveAuthentication no\n")
                .Append("UsePAM no\n")
                .Append("MaxSessions 64\n")
                .Append("MaxStartups 200\n")
                .Append("LogLevel VERBOSE\n")
                .Append("PrintMotd no\n")
                .Append("PrintLastLog no\n")
                .Append("X11Forwarding no\n")
                .Append("UseDNS no\n")
                .Append("AcceptEnv LANG LC_*\n")
                .Append("Subsystem sftp internal-sftp\n");
            // Newer sshd penalizes sources whose connections end without authenticating (readiness
            // probes, host-key-mismatch tests): on loopback that would refuse the tests themselves.
            if (penalties) config.Append("PerSourcePenalties no\n");
            await File.WriteAllTextAsync(state.ConfigFile, config.ToString(), ct).ConfigureAwait(false);
        }
    }

    private static string ClientConfig(HostState[] states, string identityFile, string knownHosts)
    {
        var config = new StringBuilder("# Orchestrate loopback testbed: ssh -F <this file> node1\n");
        foreach (var state in states)
        {
            var host = state.Host;
            config.Append("Host ").Append(host.Name).Append('\n')
                .Append("  HostName ").Append(host.Address).Append('\n')
                .Append("  Port ").Append(host.Port.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("  User ").Append(host.User).Append('\n')
                .Append("  IdentityFile ").Append(ConfigValue(identityFile)).Append('\n')
                .Append("  IdentitiesOnly yes\n")
                .Append("  UserKnownHostsFile ").Append(ConfigValue(knownHosts)).Append('\n')
                .Append("  GlobalKnownHostsFile /dev/null\n");
        }
        return config.ToString();
    }

    private static async Task GenerateKeyAsync(string keygen, string path, string comment, CancellationToken ct)
    {
        File.Delete(path);
        File.Delete(path + ".pub");
        var result = await TestbedCommand.RunAsync(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], s_toolTimeout, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new TestbedUnavailableException($"ssh-keygen failed for {Path.GetFileName(path)}: {result.FirstLine}");
    }

    /// <summary>"type base64" of a .pub file, without its comment.</summary>
    private static string PublicKey(string pubFile)
    {
        var fields = File.ReadAllText(pubFile).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2) throw new TestbedUnavailableException($"unexpected public key file {pubFile}");
        return fields[0] + " " + fields[1];
    }

    private static string KnownHostsName(TestbedHost host) =>
        host.Port == 22 ? host.Address : $"[{host.Address}]:{host.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>OpenSSH configuration values split on whitespace; quote paths that contain any.</summary>
    private static string ConfigValue(string value) =>
        value.Any(char.IsWhiteSpace) ? "\"" + value + "\"" : value;

    private static string[] Addresses(string first, int count)
    {
        if (!IPAddress.TryParse(first, out var address) || address.AddressFamily != AddressFamily.InterNetwork || !IPAddress.IsLoopback(address))
            throw new ArgumentException($"FirstAddress must be an IPv4 loopback address (127.x.y.z), not '{first}'", nameof(first));
        var bytes = address.GetAddressBytes();
        var start = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            var value = start + (uint)i;
            if ((value >> 24) != 127)
                throw new ArgumentException($"{count} hosts from {first} leave 127.0.0.0/8", nameof(count));
            result[i] = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
        }
        return result;
    }

    private static int PickFreePort(string[] addresses)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            int port;
            var listener = new TcpListener(IPAddress.Parse(addresses[0]), 0);
            try
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            finally
            {
                listener.Stop();
            }
            if (addresses.All(a => PortIsFree(a, port))) return port;
        }
        throw new TestbedUnavailableException($"no TCP port free on all of {addresses[0]}..{addresses[^1]}");
    }

    private static bool PortIsFree(string address, int port)
    {
        var listener = new TcpListener(IPAddress.Parse(address), port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static void EnsurePrivilegeSeparationDirectory()
    {
        const string path = "/run/sshd";
        if (System.IO.Directory.Exists(path)) return;
        System.IO.Directory.CreateDirectory(path);
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    private static int CountAccepted(string logFile)
    {
        if (!File.Exists(logFile)) return 0;
        using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var count = 0;
        while (reader.ReadLine() is { } line)
            if (line.Contains(AcceptedMarker, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string Tail(string logFile, int lines)
    {
        try
        {
            if (!File.Exists(logFile)) return "(no sshd log)";
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(Environment.NewLine, all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(cannot read {logFile}: {e.Message})";
        }
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : lines[^1];
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static TestbedUnavailableException Missing(string reason) => new(reason, null, missingPrerequisite: true);

    private sealed class HostState(TestbedHost Host, string ConfigFile, string LogFile, string PidFile, string HostKeyFile)
    {
        public TestbedHost Host { get; } = Host;
        public string ConfigFile { get; } = ConfigFile;
        public string LogFile { get; } = LogFile;
        public string PidFile { get; } = PidFile;
        public string HostKeyFile { get; } = HostKeyFile;
        public Process? Sshd { get; set; }
        public int AuthenticationBaseline { get; set; }
        public SemaphoreSlim Gate { get; } = new(1, 1);
    }
}
