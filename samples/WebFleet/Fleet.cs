using System.Text;
using System.Text.RegularExpressions;
using Orchestrate;

namespace WebFleet;

/// <summary>
/// A web server runtime on every web host (a super sequence), the sites it serves (a sub sequence per site and
/// host), and a local report built from the logs fetched from the hosts. Paths on the hosts carry {host} because the
/// loopback test hosts share one home directory; on real hosts "webfleet/" would do.
/// </summary>
public static partial class Fleet
{
    /// <summary>Install and configure the web server on every web host</summary>
    // On each host, in order: render its configuration here (local step pre: out/{host}/server.conf, from the
    // template), ship the configuration and the server, install and check it, fetch its log, read the log here
    // (local step post). Each phase is a node of its own: "web-server:web1::ship_file:server/webserver.py".
    [Task, Hosts("web")]
    [FileDep("templates/server.conf"), Targets("out/{host}/server.conf"), LocalPre(nameof(RenderConfig))]
    [Ship("out/{host}/server.conf", "webfleet/{host}/etc")]
    [Ship("server/webserver.py", "webfleet/{host}/bin")]
    [RemoteStep("mkdir -p webfleet/{host}/www webfleet/{host}/sites.d webfleet/{host}/logs")]
    [RemoteStep("python3 webfleet/{host}/bin/webserver.py webfleet/{host}/etc/server.conf --listen {address} --check /")]
    [Fetch("webfleet/{host}/logs/server.log", "out/{host}")]
    [LocalPost(nameof(ReadServerLog))]
    public static void WebServer(RemoteContext host) => host.Log($"webfleet runs on {host.HostName} ({host.Address})");

    /// <summary>The sites of a host: its "sites" variable (comma separated), or all three.</summary>
    public static IEnumerable<string> Sites(HostInfo host) =>
        host.Vars.TryGetValue("sites", out var sites)
            ? sites.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["blog", "docs", "shop"];

    /// <summary>Publish a site on a web host and check that it is served</summary>
    // After WebServer on each host, once per site: "web-server:web1::site:blog::remote_steps". The server is started
    // for the request and stopped again by the step: nothing is left running on the host.
    [Task, SubSequenceOf(nameof(WebServer)), ForEach(nameof(Sites))]
    [Ship("sites/{item}/**", "webfleet/{host}/www/{item}")]
    [RemoteStep("echo root = webfleet/{host}/www/{item} > webfleet/{host}/sites.d/{item}.site")]
    [RemoteStep("python3 webfleet/{host}/bin/webserver.py webfleet/{host}/etc/server.conf --listen {address} --check /{item}/")]
    [Fetch("webfleet/{host}/logs/{item}.log", "out/{host}/logs")]
    public static void Site(RemoteContext host) => host.Log($"{host.Item} is served by {host.HostName}");

    /// <summary>Gather every host's logs into out/report.md</summary>
    [Task(Default = true), DependsOn(nameof(WebServer)), FileDep("out/*/server.log", "out/*/logs/*.log"), Targets("out/report.md")]
    public static async Task Report(TaskContext ctx)
    {
        var outDirectory = Path.Combine(ctx.ProjectDirectory, "out");
        var report = new StringBuilder("# Web fleet report\n\n| host | site | requests | last status |\n|---|---|---|---|\n");
        foreach (var host in Directory.GetDirectories(outDirectory).Order(StringComparer.Ordinal))
        {
            var logs = Path.Combine(host, "logs");
            var siteLogs = Directory.Exists(logs) ? Directory.GetFiles(logs, "*.log").Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
            foreach (var log in siteLogs)
            {
                var requests = (await File.ReadAllLinesAsync(log)).Select(line => Request().Match(line)).Where(m => m.Success).ToList();
                var last = requests.Count > 0 ? requests[^1].Groups["status"].Value : "none";
                report.Append($"| {Path.GetFileName(host)} | {Path.GetFileNameWithoutExtension(log)} | {requests.Count} | {last} |\n");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(outDirectory, "report.md"), report.ToString());
        ctx.Log($"wrote out/report.md");
    }

    /// <summary>Local step pre: the host's configuration, rendered from the template into out/{host}/server.conf.</summary>
    public static async Task RenderConfig(RemoteContext host)
    {
        var template = await File.ReadAllTextAsync(Path.Combine(host.ProjectDirectory, "templates", "server.conf"), host.CancellationToken);
        var directory = Path.Combine(host.ProjectDirectory, "out", host.HostName);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(
            Path.Combine(directory, "server.conf"),
            template.Replace("@host@", host.HostName, StringComparison.Ordinal).Replace("@address@", host.Address, StringComparison.Ordinal),
            host.CancellationToken);
    }

    /// <summary>Local step post: what the fetched server log says about the host's server.</summary>
    public static async Task ReadServerLog(RemoteContext host)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(host.ProjectDirectory, "out", host.HostName, "server.log"), host.CancellationToken);
        var starts = lines.Count(line => line.Contains(" started on ", StringComparison.Ordinal));
        var stops = lines.Count(line => line.EndsWith(" stopped", StringComparison.Ordinal));
        host.Log($"{host.HostName}: the server started {starts} times and stopped {stops} times");
        if (starts != stops)
        {
            throw new InvalidOperationException($"the server on {host.HostName} started {starts} times but stopped {stops} times: it may still be running");
        }
    }

    [GeneratedRegex("\"GET (?<path>\\S+)\" (?<status>\\d{3}) ")]
    private static partial Regex Request();
}
