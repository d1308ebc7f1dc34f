using Orchestrate;

namespace HelloC;

/// <summary>The remote half of the sample: install the program on every lab host, run it there,
/// bring back what it printed, and write a local report.</summary>
public static class Deploy
{
    /// <summary>Install bin/hello on each lab host and run it there</summary>
    // Ship: out/bin/hello is Link's target, so each host's node runs after Link (and after Test).
    // Paths on the hosts carry {host} because the loopback test hosts share one home directory;
    // on real hosts "hello/bin" would do.
    [Task, Hosts("lab"), DependsOn(nameof(Build.Test))]
    [Ship("out/bin/hello", "hello-{host}/bin")]
    [RemoteStep("mkdir -p hello-{host}/log")]
    [RemoteStep("hello-{host}/bin/hello {host} > hello-{host}/log/greeting.txt")]
    [Fetch("hello-{host}/log/greeting.txt", "out/greetings/{host}")]
    public static async Task Install(RemoteContext host)
    {
        var kernel = await host.Shell("uname -sr", new RunOptions { Echo = false });
        host.Log($"{host.HostName} ({host.Address}) runs {kernel.StdOut.Trim()}");
    }

    /// <summary>Gather every host's greeting into out/report.txt</summary>
    [Task(Default = true), DependsOn(nameof(Install)), Targets("out/report.txt")]
    public static async Task Report(TaskContext ctx)
    {
        var folder = Path.Combine(ctx.ProjectDirectory, "out", "greetings");
        var lines = Directory.Exists(folder)
            ? Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
                .Select(host => $"{Path.GetFileName(host)}: {File.ReadAllText(Path.Combine(host, "greeting.txt")).Trim()}")
                .ToList()
            : [];
        await File.WriteAllLinesAsync(Path.Combine(ctx.ProjectDirectory, "out", "report.txt"), lines);
        foreach (var line in lines)
        {
            ctx.Log(line);
        }
    }
}
