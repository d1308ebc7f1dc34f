using System.ComponentModel;
using System.Diagnostics;

namespace Orchestrate.Remote.OpenSsh;

/// <summary>
/// What Orchestrate promises about host keys: it never connects to a host with checking off, whatever turned it off
/// (the inventory's <c>SshArguments</c>, a <c>-F</c> file they name, the user's or the system's SSH configuration).
/// Before a connection is opened, OpenSSH itself is asked for the settings it would use, with the very arguments of
/// the connection (<c>ssh -G</c>), so that spelling (<c>/dev//null</c>), files and <c>Match</c> blocks cannot hide
/// anything; the connection is refused when they say:
/// <list type="bullet">
/// <item><c>StrictHostKeyChecking no</c>: any key is accepted;</item>
/// <item><c>StrictHostKeyChecking accept-new</c> with no known_hosts file a key could be remembered in (every
/// <c>UserKnownHostsFile</c> is <c>/dev/null</c>, another device, or <c>none</c>): every key is new, every time;</item>
/// <item><c>KnownHostsCommand</c>: host keys come from a program Orchestrate cannot judge.</item>
/// </list>
/// Trusting a host on first contact is asked for with <c>HostKeyChecking: AcceptNew</c> (keys are then remembered).
/// </summary>
internal static class HostKeyGuard
{
    /// <summary>Throws when the connection's effective settings turn host key checking off.</summary>
    /// <param name="ssh">The ssh client.</param>
    /// <param name="host">The host.</param>
    /// <param name="arguments">The connection's arguments, up to (without) <c>--</c> and the remote command.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="HostUnreachableException">Checking is off; the message says what turned it off and what to do.</exception>
    public static async Task CheckAsync(string ssh, HostSpec host, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(ssh)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-G");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        string output, errors;
        int exitCode;
        try
        {
            using var process = Process.Start(info) ?? throw new HostUnreachableException(host.Name, $"cannot start {ssh}");
            process.StandardInput.Close();
            var reading = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var readingErrors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            output = await reading.ConfigureAwait(false);
            errors = await readingErrors.ConfigureAwait(false);
            exitCode = process.ExitCode;
        }
        catch (Win32Exception e)
        {
            throw new HostUnreachableException(host.Name, $"cannot start {ssh} (is the OpenSSH client installed?): {e.Message}", e);
        }

        if (exitCode != 0)
        {
            var reason = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {exitCode}";
            throw new HostUnreachableException(host.Name, $"its SSH settings cannot be read (ssh -G: {reason}): fix the inventory's SshArguments or the SSH configuration");
        }

        if (Problem(Settings(output)) is { } problem)
        {
            throw new HostUnreachableException(host.Name,
                $"not connecting: {problem}, which turns host key checking off (from the inventory's SshArguments or the SSH configuration). " +
                "Remove it; to trust a host on first contact set HostKeyChecking: AcceptNew, or add its key to a KnownHostsFile");
        }
    }

    /// <summary>What turns checking off in these effective settings (keys lower case, as ssh -G prints them), or null.</summary>
    internal static string? Problem(IReadOnlyDictionary<string, string> settings)
    {
        var strict = settings.GetValueOrDefault("stricthostkeychecking", "ask");
        if (strict is "false" or "no" or "off")
        {
            return "StrictHostKeyChecking is no";
        }

        if (settings.TryGetValue("knownhostscommand", out var command) && command.Length > 0 && !command.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return $"KnownHostsCommand is set ({Inventory.Text.Quote(command)})";
        }

        if (strict == "accept-new")
        {
            var files = settings.GetValueOrDefault("userknownhostsfile", "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (files.All(IsNoStore))
            {
                return $"StrictHostKeyChecking is accept-new with UserKnownHostsFile {Inventory.Text.Quote(string.Join(' ', files))}, where no key can be remembered";
            }
        }

        return null;
    }

    private static Dictionary<string, string> Settings(string output)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var space = line.IndexOf(' ');
            if (space > 0)
            {
                settings.TryAdd(line[..space].ToLowerInvariant(), line[(space + 1)..].Trim());
            }
        }

        return settings;
    }

    // A known_hosts "file" that cannot keep a key: none, /dev/null however spelled, a link to it, or any device.
    private static bool IsNoStore(string file)
    {
        if (file.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var path = file.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), file[2..])
            : file;
        try
        {
            path = Path.GetFullPath(path);
            if (File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target)
            {
                path = Path.GetFullPath(target.FullName);
            }
        }
        catch (IOException)
        {
            // A link that cannot be followed keeps no key either.
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }

        return path.StartsWith("/dev/", StringComparison.Ordinal) || path.StartsWith("/proc/", StringComparison.Ordinal);
    }
}
