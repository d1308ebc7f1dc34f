using System.Text.RegularExpressions;

namespace Orchestrate.Remote.Testbed;

/// <summary>Creates (or repairs) the unprivileged account the testbed hosts accept.</summary>
internal static partial class TestbedUser
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex ValidName();

    public static void Validate(string user)
    {
        if (!ValidName().IsMatch(user))
            throw new ArgumentException($"'{user}' is not a valid account name (lower-case letters, digits, '_' and '-')", nameof(user));
        if (user == "root")
            throw new ArgumentException("the testbed logs in as an unprivileged user, not root", nameof(user));
    }

    /// <summary>
    /// Makes sure <paramref name="user"/> exists with a home directory, a usable shell and a password field
    /// that allows key login (<c>*</c>, not the locked <c>!</c> useradd leaves).
    /// </summary>
    public static async Task EnsureAsync(string user, CancellationToken ct)
    {
        await s_gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var entry = ReadPasswd(user);
            if (entry is null)
            {
                var useradd = Require("useradd");
                // Another process may create the same account concurrently: exit code 9 means it exists.
                var created = await RetryAsync(() => TestbedCommand.RunAsync(useradd,
                    ["--create-home", "--shell", "/bin/sh", "--comment", "Orchestrate loopback testbed", user], s_toolTimeout, ct),
                    code => code is 0 or 9, ct).ConfigureAwait(false);
                if (created.ExitCode is not (0 or 9))
                    throw new TestbedUnavailableException($"useradd {user} failed: {created.FirstLine}");
                entry = ReadPasswd(user) ?? throw new TestbedUnavailableException($"useradd {user} succeeded but the account is not in /etc/passwd");
            }

            var (uid, gid, home, shell) = entry.Value;
            if (shell.EndsWith("/nologin", StringComparison.Ordinal) || shell.EndsWith("/false", StringComparison.Ordinal) || shell.Length == 0)
                await UserModAsync(["--shell", "/bin/sh", user], ct).ConfigureAwait(false);

            if (!Directory.Exists(home))
            {
                Directory.CreateDirectory(home);
                var chown = Require("chown");
                var result = await TestbedCommand.RunAsync(chown, [$"{uid}:{gid}", home], s_toolTimeout, ct).ConfigureAwait(false);
                if (result.ExitCode != 0) throw new TestbedUnavailableException($"chown {home} failed: {result.FirstLine}");
            }

            var password = ReadShadowPassword(user);
            if (password is null || password.Length == 0 || password.StartsWith('!'))
                await UserModAsync(["-p", "*", user], ct).ConfigureAwait(false);
        }
        finally
        {
            s_gate.Release();
        }
    }

    private static async Task UserModAsync(string[] arguments, CancellationToken ct)
    {
        var usermod = Require("usermod");
        var result = await RetryAsync(() => TestbedCommand.RunAsync(usermod, arguments, s_toolTimeout, ct), code => code == 0, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new TestbedUnavailableException($"usermod {string.Join(' ', arguments)} failed: {result.FirstLine}");
    }

    // /etc/passwd and /etc/shadow are locked while another process edits them: retry a few times.
    private static async Task<TestbedCommand.Result> RetryAsync(Func<Task<TestbedCommand.Result>> run, Func<int, bool> ok, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await run().ConfigureAwait(false);
            if (ok(result.ExitCode) || attempt == 5) return result;
            await Task.Delay(200 * attempt, ct).ConfigureAwait(false);
        }
    }

    private static string Require(string tool) =>
        TestbedCommand.Find(tool) ?? throw new TestbedUnavailableException($"{tool} not installed: apt-get install passwd", null, missingPrerequisite: true);

    private static (int Uid, int Gid, string Home, string Shell)? ReadPasswd(string user)
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 7 && fields[0] == user)
                return (int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture),
                        int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture), fields[5], fields[6]);
        }
        return null;
    }

    private static string? ReadShadowPassword(string user)
    {
        if (!File.Exists("/etc/shadow")) return null;
        foreach (var line in File.ReadLines("/etc/shadow"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 2 && fields[0] == user) return fields[1];
        }
        return null;
    }
}
