using System.Diagnostics;
using Orchestrate.Remote.Testbed;

namespace Orchestrate.Tests.Remote.Testbed;

/// <summary>
/// Shared start/skip logic for tests that need real SSH hosts on loopback. When the machine cannot run the
/// testbed (not root, OpenSSH not installed, not Linux) the test is ignored with a one-line reason, never
/// passed silently; set ORCHESTRATE_REQUIRE_TESTBED=1 (CI) to make that a failure instead. Any other start
/// failure (busy port, sshd not coming up, login refused) fails the test with the sshd log tail.
/// </summary>
public static class TestbedFixture
{
    /// <summary>Set to 1 to fail, not ignore, tests whose testbed cannot start.</summary>
    public const string RequireVariable = "ORCHESTRATE_REQUIRE_TESTBED";

    /// <summary>Starts <paramref name="hosts"/> hosts on a free port (so parallel test runs do not collide).</summary>
    public static Task<LoopbackTestbed> StartOrIgnoreAsync(int hosts = 3) =>
        StartOrIgnoreAsync(new LoopbackTestbedOptions { Hosts = hosts, Port = 0 });

    /// <summary>Starts a testbed with explicit options, or ignores the test if the machine cannot run one.</summary>
    public static async Task<LoopbackTestbed> StartOrIgnoreAsync(LoopbackTestbedOptions options)
    {
        IgnoreIfUnavailable();
        try
        {
            return await LoopbackTestbed.StartAsync(options);
        }
        catch (TestbedUnavailableException e) when (e.MissingPrerequisite && !Required)
        {
            Assert.Ignore($"loopback SSH testbed unavailable: {e.Message}");
            throw;
        }
    }

    /// <summary>Ignores (or, with ORCHESTRATE_REQUIRE_TESTBED=1, fails) the test if the testbed cannot run here.</summary>
    public static void IgnoreIfUnavailable()
    {
        if (LoopbackTestbed.CheckPrerequisites() is not { } reason) return;
        if (Required) Assert.Fail($"loopback SSH testbed required ({RequireVariable}=1) but unavailable: {reason}");
        Assert.Ignore($"loopback SSH testbed unavailable: {reason}");
    }

    private static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>The result of one <c>ssh</c> run.</summary>
    public sealed record SshResult(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <inheritdoc />
        public override string ToString() => $"exit {ExitCode}\nstdout: {StandardOutput}\nstderr: {StandardError}";
    }

    /// <summary>
    /// Runs <c>ssh [testbed options] -o BatchMode=yes -o ConnectTimeout=10 [extra] user@address command</c>
    /// (host key checking at its default: on) and returns its exit code and output.
    /// </summary>
    public static Task<SshResult> SshAsync(LoopbackTestbed testbed, TestbedHost host, string command, params string[] extraOptions) =>
        RunSshAsync([.. testbed.SshOptions(host), "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", .. extraOptions, host.Destination, command]);

    /// <summary>Runs <c>ssh</c> with exactly <paramref name="arguments"/> (no shell), with a 60 s limit.</summary>
    public static async Task<SshResult> RunSshAsync(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("ssh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("ssh did not finish within 60 s: " + string.Join(' ', info.ArgumentList));
        }
        return new SshResult(process.ExitCode, await stdout, await stderr);
    }
}
