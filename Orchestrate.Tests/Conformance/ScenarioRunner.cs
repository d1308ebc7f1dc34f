using System.Text;
using System.Text.Json;

namespace Orchestrate.Tests.Conformance;

/// <summary>
/// Plays a scenario against Orchestrate and pydoit, each in its own directory with the same initial files,
/// applying every step to both. After each run: both ran exactly the expected tasks (read from
/// executed.log, then cleared) and both succeeded or both failed. File edits give each file a new,
/// distinct modification time (a per-scenario clock), the same in both directories, so that no edit
/// hides behind a coarse timestamp.
/// </summary>
internal sealed class ScenarioRunner : IDisposable
{
    private readonly Scenario _scenario;
    private readonly string _root;
    private readonly OrchestrateSide _orchestrate;
    private readonly DoitSide? _doit;
    private readonly StringBuilder _transcript = new();
    private DateTime _clock = DateTime.UtcNow.AddHours(-1);

    private ScenarioRunner(Scenario scenario, bool withDoit)
    {
        _scenario = scenario;
        _root = Directory.CreateTempSubdirectory("orchestrate-conformance-").FullName;
        var orchestrateDirectory = Directory.CreateDirectory(Path.Combine(_root, "orchestrate")).FullName;
        var doitDirectory = Directory.CreateDirectory(Path.Combine(_root, "doit")).FullName;
        foreach (var (path, content) in scenario.Files)
        {
            var time = Tick();
            foreach (var directory in Directories(orchestrateDirectory, doitDirectory, withDoit))
            {
                Write(directory, path, content, time);
            }
        }

        foreach (var directory in Directories(orchestrateDirectory, doitDirectory, withDoit))
        {
            File.WriteAllText(Path.Combine(directory, "params.json"), JsonSerializer.Serialize(scenario.Params));
        }

        _orchestrate = new OrchestrateSide(scenario, orchestrateDirectory);
        _doit = withDoit ? new DoitSide(scenario, doitDirectory) : null;
    }

    /// <summary>Plays the scenario with both tools, comparing them at every run.</summary>
    public static async Task CompareAsync(Scenario scenario)
    {
        DoitSide.RequireDoit();
        using var runner = new ScenarioRunner(scenario, withDoit: true);
        await runner.PlayAsync();
    }

    /// <summary>Plays the scenario with Orchestrate alone (where doit is known to be wrong).</summary>
    public static async Task OrchestrateOnlyAsync(Scenario scenario)
    {
        using var runner = new ScenarioRunner(scenario, withDoit: false);
        await runner.PlayAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static IEnumerable<string> Directories(string orchestrate, string doit, bool withDoit) => withDoit ? [orchestrate, doit] : [orchestrate];

    private IEnumerable<string> Directories() => Directories(_orchestrate.Directory, _doit?.Directory ?? "", _doit is not null);

    private DateTime Tick() => _clock = _clock.AddSeconds(10);

    private async Task PlayAsync()
    {
        for (var i = 0; i < _scenario.Steps.Count; i++)
        {
            var step = _scenario.Steps[i];
            _transcript.AppendLine($"step {i + 1}: {step}");
            await ApplyAsync(step, $"step {i + 1} ({step})");
        }
    }

    private async Task ApplyAsync(Step step, string where)
    {
        switch (step)
        {
            case Step.Write write:
                var written = Tick();
                foreach (var directory in Directories())
                {
                    Write(directory, write.Path, write.Content, written);
                }

                break;
            case Step.Append append:
                var appended = Tick();
                foreach (var directory in Directories())
                {
                    File.AppendAllText(Path.Combine(directory, append.Path), append.Text);
                    File.SetLastWriteTimeUtc(Path.Combine(directory, append.Path), appended);
                }

                break;
            case Step.Touch touch:
                var touched = Tick();
                foreach (var directory in Directories())
                {
                    File.SetLastWriteTimeUtc(Path.Combine(directory, touch.Path), touched);
                }

                break;
            case Step.Delete delete:
                foreach (var directory in Directories())
                {
                    File.Delete(Path.Combine(directory, delete.Path));
                }

                break;
            case Step.SetParam set:
                foreach (var directory in Directories())
                {
                    var parameters = OrchestrateSide.ReadParams(directory);
                    parameters[set.Key] = set.Value;
                    File.WriteAllText(Path.Combine(directory, "params.json"), JsonSerializer.Serialize(parameters));
                }

                break;
            case Step.Wait wait:
                await Task.Delay(wait.Milliseconds);
                break;
            case Step.Run run:
                await RunAsync(run, where);
                break;
            case Step.Forget forget:
                await StateCommandAsync(where, "forget", forget.Task);
                break;
            case Step.Clean clean:
                await StateCommandAsync(where, "clean", [.. clean.Options, .. clean.Task.Length == 0 ? Array.Empty<string>() : [clean.Task]]);
                break;
            case Step.Ignore ignore:
                await StateCommandAsync(where, "ignore", ignore.Task);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, null);
        }
    }

    private async Task RunAsync(Step.Run run, string where)
    {
        string[] orchestrateArgs = ["run", .. run.Tasks, .. run.Always ? ["--always"] : Array.Empty<string>(), .. run.KeepGoing ? ["--keep-going"] : Array.Empty<string>(),
            .. run.InOrder ? ["-j", "1"] : Array.Empty<string>()];
        var orchestrate = await _orchestrate.RunAsync(orchestrateArgs);
        var orchestrateRan = TakeLog(_orchestrate.Directory, run.InOrder);
        Record("orchestrate " + string.Join(' ', orchestrateArgs), orchestrate, orchestrateRan);

        var expected = run.InOrder ? run.Expect : Sorted(run.Expect);
        if (_doit is null)
        {
            Assert.That(orchestrateRan, Is.EqualTo(expected), $"{where}: Orchestrate ran [{string.Join(' ', orchestrateRan)}], expected [{string.Join(' ', expected)}]\n{_transcript}");
            Assert.That(orchestrate.ExitCode == 0, Is.EqualTo(run.Success), $"{where}: Orchestrate exit code {orchestrate.ExitCode}\n{_transcript}");
            return;
        }

        string[] doitArgs = [.. run.Always ? ["--always-execute"] : Array.Empty<string>(), .. run.KeepGoing ? ["--continue"] : Array.Empty<string>(), .. run.Tasks];
        var doit = await _doit.RunAsync("run", doitArgs);
        var doitRan = TakeLog(_doit.Directory, run.InOrder);
        Record("doit run " + string.Join(' ', doitArgs), doit, doitRan);

        Assert.Multiple(() =>
        {
            Assert.That(orchestrateRan, Is.EqualTo(doitRan), $"{where}: Orchestrate ran [{string.Join(' ', orchestrateRan)}] but doit ran [{string.Join(' ', doitRan)}]\n{_transcript}");
            Assert.That(orchestrate.ExitCode == 0, Is.EqualTo(doit.ExitCode == 0), $"{where}: Orchestrate exit code {orchestrate.ExitCode}, doit exit code {doit.ExitCode}\n{_transcript}");
        });
        Assert.Multiple(() =>
        {
            Assert.That(doitRan, Is.EqualTo(expected), $"{where}: both ran [{string.Join(' ', doitRan)}], the scenario expects [{string.Join(' ', expected)}]\n{_transcript}");
            Assert.That(doit.ExitCode == 0, Is.EqualTo(run.Success), $"{where}: both {(run.Success ? "failed" : "succeeded")}, the scenario expects otherwise\n{_transcript}");
        });
    }

    private Task StateCommandAsync(string where, string command, string task) => StateCommandAsync(where, command, [task]);

    private async Task StateCommandAsync(string where, string command, string[] args)
    {
        var orchestrate = await _orchestrate.RunAsync([command, .. args]);
        Record($"orchestrate {command} {string.Join(' ', args)}", orchestrate, null);
        Assert.That(orchestrate.ExitCode, Is.Zero, $"{where}: Orchestrate failed\n{_transcript}");
        if (_doit is not null)
        {
            var doit = await _doit.RunAsync(command, args);
            Record($"doit {command} {string.Join(' ', args)}", doit, null);
            Assert.That(doit.ExitCode, Is.Zero, $"{where}: doit failed\n{_transcript}");
        }
    }

    private void Record(string command, ToolResult result, string[]? ran)
    {
        _transcript.AppendLine($"  $ {command}  -> exit {result.ExitCode}{(ran is null ? "" : $", ran [{string.Join(' ', ran)}]")}");
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _transcript.AppendLine("    | " + line.TrimEnd('\r'));
        }
    }

    // The tasks that ran, sorted (or in the order they ran), and the log cleared for the next run.
    private static string[] TakeLog(string directory, bool inOrder = false)
    {
        var log = Path.Combine(directory, "executed.log");
        if (!File.Exists(log))
        {
            return [];
        }

        var ran = File.ReadAllLines(log).Where(l => l.Length > 0).ToArray();
        File.Delete(log);
        return inOrder ? ran : Sorted(ran);
    }

    private static string[] Sorted(IEnumerable<string> names) => names.Order(StringComparer.Ordinal).ToArray();

    private static void Write(string directory, string path, string content, DateTime time)
    {
        var full = Path.Combine(directory, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        File.SetLastWriteTimeUtc(full, time);
    }
}
