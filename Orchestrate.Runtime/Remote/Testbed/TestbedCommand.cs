using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Orchestrate.Remote.Testbed;

/// <summary>Runs the OpenSSH and account tools the testbed needs, always with an argument list (no shell).</summary>
internal static partial class TestbedCommand
{
    internal readonly record struct Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => (StandardError + StandardOutput).Trim();
        public string FirstLine => Output.Split('\n', 2)[0].Trim();
    }

    private static readonly string[] s_systemDirectories = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

    /// <summary>The absolute path of <paramref name="name"/> on PATH or in the usual system directories, or null.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(s_systemDirectories))
        {
            if (!Path.IsPathRooted(dir)) continue;
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = info };
        process.Start();
        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeout.TotalSeconds:0.#} s");
        }
        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Whether the process runs with effective user id 0.</summary>
    public static bool IsRoot() => OperatingSystem.IsLinux() && geteuid() == 0;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();
}
