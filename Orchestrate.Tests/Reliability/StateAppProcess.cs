using System.Diagnostics;
using System.Runtime.InteropServices;
using Orchestrate.Tests.EndToEnd;

namespace Orchestrate.Tests.Reliability;

/// <summary>
/// The StateApp test program (Apps/StateApp) started as a real process: standard output and error
/// are captured line by line as they arrive, so that a test can wait for a line, kill the process
/// at a chosen moment, and know what it had printed by then.
/// </summary>
internal sealed class StateAppProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _out = [];
    private readonly List<string> _err = [];
    private readonly Task _pumps;

    private StateAppProcess(Process process)
    {
        _process = process;
        Clock = Stopwatch.StartNew();
        _pumps = Task.WhenAll(Pump(process.StandardOutput, _out), Pump(process.StandardError, _err));
    }

    /// <summary>Time since the process was started.</summary>
    public Stopwatch Clock { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The built StateApp.dll, next to the tests' configuration.</summary>
    public static string Dll
    {
        get
        {
            // The tests run from Orchestrate.Tests/bin/<Configuration>/net10.0/.
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent?.Name ?? "Debug";
            var path = Path.Combine(Shell.RepositoryRoot(), "Orchestrate.Tests", "Apps", "StateApp", "bin", configuration, "net10.0", "StateApp.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"StateApp is not built at {path}");
        }
    }

    /// <summary>Starts <c>dotnet StateApp.dll tasks actionMs -C dir --no-color extra...</c> in <paramref name="directory"/>.</summary>
    public static StateAppProcess Start(string directory, int tasks, int actionMs, params string[] extra) =>
        Start(directory, tasks, actionMs, null, extra);

    /// <summary>As <see cref="Start(string, int, int, string[])"/>, with environment variables of its own.</summary>
    public static StateAppProcess Start(string directory, int tasks, int actionMs, IReadOnlyDictionary<string, string>? environment, params string[] extra) =>
        Start(directory, tasks, actionMs, environment, ownGroup: false, extra);

    /// <summary>As <see cref="Start(string, int, int, IReadOnlyDictionary{string, string}?, string[])"/>; with
    /// <paramref name="ownGroup"/> in a session and process group of its own (through setsid), as a terminal's
    /// foreground job, so that a signal can be sent to the whole group (<see cref="InterruptGroup"/>).</summary>
    public static StateAppProcess Start(string directory, int tasks, int actionMs, IReadOnlyDictionary<string, string>? environment, bool ownGroup, params string[] extra)
    {
        var info = new ProcessStartInfo(ownGroup ? "setsid" : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (ownGroup)
        {
            // Not a group leader, setsid execs dotnet in place: the process ID is the group's.
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(Dll);
        info.ArgumentList.Add(tasks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(actionMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var arg in new[] { "-C", directory, "--no-color" }.Concat(extra))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return new StateAppProcess(process);
    }

    /// <summary>Runs StateApp to the end; returns exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string[] Out, string[] Err)> RunAsync(string directory, int tasks, int actionMs, params string[] extra)
    {
        using var app = Start(directory, tasks, actionMs, extra);
        var code = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, app.Output, app.Errors);
    }

    /// <summary>Runs StateApp with arguments of its own (a command such as <c>forget --all</c>) for a graph of <paramref name="tasks"/> tasks.</summary>
    public static Task<(int ExitCode, string[] Out, string[] Err)> CommandAsync(string directory, int tasks, params string[] command) =>
        RunAsync(directory, tasks, 0, command);

    /// <summary>The standard output lines read so far.</summary>
    public string[] Output
    {
        get
        {
            lock (_out)
            {
                return [.. _out];
            }
        }
    }

    /// <summary>The standard error lines read so far.</summary>
    public string[] Errors
    {
        get
        {
            lock (_err)
            {
                return [.. _err];
            }
        }
    }

    /// <summary>Waits until a standard output line matches.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Any(match))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"no matching line within {timeout}; output so far:\n{string.Join('\n', Output)}\nerrors:\n{string.Join('\n', Errors)}");
            }

            if (_process.HasExited && _pumps.IsCompleted && !Output.Any(match))
            {
                throw new InvalidOperationException($"the process exited ({_process.ExitCode}) without the line; output:\n{string.Join('\n', Output)}\nerrors:\n{string.Join('\n', Errors)}");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>Waits until a standard error line matches.</summary>
    public async Task WaitForErrorAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Errors.Any(match))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"no matching error line within {timeout}; errors so far:\n{string.Join('\n', Errors)}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Waits for the exit and for the last output lines; kills the process on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await _pumps.WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            KillHard();
            throw new TimeoutException($"StateApp did not exit within {timeout}; output:\n{string.Join('\n', Output)}\nerrors:\n{string.Join('\n', Errors)}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL (Process.Kill sends SIGKILL on Linux).</summary>
    public void KillHard()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    /// <summary>SIGINT, as Ctrl+C in a terminal.</summary>
    public void Interrupt()
    {
        const int SigInt = 2;
        if (SysKill(_process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"kill -INT {_process.Id} failed: errno {Marshal.GetLastWin32Error()}");
        }
    }

    /// <summary>SIGINT to the process's whole group, as Ctrl+C in a terminal sends it (started with ownGroup).</summary>
    public void InterruptGroup() => Signal(-_process.Id, 2);

    /// <summary>SIGTERM, as a service manager sends it.</summary>
    public void Terminate() => Signal(_process.Id, 15);

    private static void Signal(int target, int signal)
    {
        if (SysKill(target, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {target} failed: errno {Marshal.GetLastWin32Error()}");
        }
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }

    private static async Task Pump(StreamReader reader, List<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
