using System.Text.Json;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Reporting;

[TestFixture]
public class FileReportTests
{
    private static CliHarness Project()
    {
        var cli = new CliHarness();
        cli.Write("in.txt", "input");
        cli.Add("gen", ctx => File.WriteAllTextAsync(Path.Combine(ctx.ProjectDirectory, "out.txt"), "made"), fileDeps: ["in.txt"], targets: ["out.txt"]);
        cli.Add("talk", async ctx =>
        {
            ctx.Log("hello");
            await ctx.Shell("echo from-shell; echo warn >&2");
        });
        cli.Add("boom", ctx => ctx.Shell("exit 4"), dependsOn: ["talk"]);
        cli.Add("after", dependsOn: ["boom"]);
        return cli;
    }

    [Test]
    public async Task The_events_file_has_a_start_and_finish_or_a_skip_for_every_task_in_a_consistent_order()
    {
        using var cli = Project();
        Assert.That((await cli.RunAsync("gen")).ExitCode, Is.EqualTo(0));
        var path = cli.PathOf("events.jsonl");

        var result = await cli.RunAsync("-k", "--events", path);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        var events = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string Kind(JsonElement e) => e.GetProperty("event").GetString()!;
        Assert.That(Kind(events[0]), Is.EqualTo("run-start"));
        Assert.That(events[0].GetProperty("tasks").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "gen", "talk", "boom", "after" }));
        Assert.That(Kind(events[^1]), Is.EqualTo("run-finish"));
        Assert.That(events[^1].GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(events[^1].GetProperty("counts").GetProperty("blocked").GetInt32(), Is.EqualTo(1));
        var times = events.Select(e => e.GetProperty("t").GetDouble()).ToList();
        Assert.That(times, Is.Ordered, "event times only go forward");

        int Index(string kind, string task) => events.FindIndex(e => Kind(e) == kind && e.TryGetProperty("task", out var t) && t.GetString() == task);
        foreach (var task in new[] { "talk", "boom" })
        {
            Assert.That(Index("task-start", task), Is.GreaterThan(0).And.LessThan(Index("task-finish", task)), task);
            Assert.That(Index("skip", task), Is.EqualTo(-1), task);
        }

        Assert.That(events[Index("task-start", "talk")].GetProperty("reason").GetString(), Is.EqualTo(Orchestrate.UpToDate.UpToDateChecker.AlwaysRuns));
        var talkOutput = events.Where(e => Kind(e) == "output" && e.GetProperty("task").GetString() == "talk").ToList();
        Assert.That(talkOutput.Select(e => (e.GetProperty("stream").GetString(), e.GetProperty("line").GetString())),
            Is.EquivalentTo(new[] { ("stdout", "hello"), ("stdout", "from-shell"), ("stderr", "warn") }));
        Assert.That(talkOutput.Select(e => events.IndexOf(e)), Is.All.InRange(Index("task-start", "talk"), Index("task-finish", "talk")));
        var boom = events[Index("task-finish", "boom")];
        Assert.That(boom.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(boom.GetProperty("error").GetString(), Does.Contain("exited with code 4"));
        Assert.That(events[Index("task-finish", "talk")].GetProperty("duration").GetDouble(), Is.GreaterThan(0));
        Assert.That(events[Index("skip", "gen")].GetProperty("status").GetString(), Is.EqualTo("up-to-date"));
        var after = events[Index("skip", "after")];
        Assert.That(after.GetProperty("status").GetString(), Is.EqualTo("blocked"));
        Assert.That(after.GetProperty("blockedBy").GetString(), Is.EqualTo("boom"));
        Assert.That(Index("skip", "after"), Is.GreaterThan(Index("task-finish", "boom")));
    }

    [Test]
    public async Task The_report_file_holds_every_tasks_final_state()
    {
        using var cli = Project();
        Assert.That((await cli.RunAsync("gen")).ExitCode, Is.EqualTo(0));
        var path = cli.PathOf("report.json");

        var result = await cli.RunAsync("-k", "--report", path);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(path));
        var root = report.RootElement;
        Assert.That(root.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(root.GetProperty("abortedBy").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var tasks = root.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.That(tasks.Keys, Is.EqualTo(new[] { "gen", "talk", "boom", "after" }));
        Assert.That(tasks.Values.Select(t => t.GetProperty("status").GetString()), Is.EqualTo(new[] { "up-to-date", "succeeded", "failed", "blocked" }));
        Assert.That(tasks["talk"].GetProperty("reason").GetString(), Is.EqualTo(Orchestrate.UpToDate.UpToDateChecker.AlwaysRuns));
        Assert.That(tasks["talk"].GetProperty("started").GetDouble(), Is.GreaterThanOrEqualTo(0));
        Assert.That(tasks["gen"].GetProperty("started").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(tasks["boom"].GetProperty("requires").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "talk" }));
        Assert.That(tasks["boom"].GetProperty("error").GetProperty("summary").GetString(), Does.Contain("exited with code 4"));
        Assert.That(tasks["after"].GetProperty("blockedBy").GetString(), Is.EqualTo("boom"));
        Assert.That(tasks["talk"].GetProperty("critical").GetBoolean(), Is.False);
        Assert.That(root.GetProperty("counts").GetProperty("succeeded").GetInt32(), Is.EqualTo(1));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"), Is.Empty, "no temporary file is left");
    }

    [Test]
    public async Task A_report_path_in_a_missing_directory_is_one_usage_error_before_anything_runs()
    {
        using var cli = Project();

        var result = await cli.RunAsync("talk", "--events", cli.PathOf("no/such/dir/events.jsonl"));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.Trim(), Does.StartWith("error: --events ").And.Contain("does not exist"));
        Assert.That(result.Error.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(cli.Order, Is.Empty);
    }

    [Test]
    public async Task The_plan_page_is_one_self_contained_file_with_what_would_run_and_why_and_runs_nothing()
    {
        using var cli = Project();
        Assert.That((await cli.RunAsync("gen")).ExitCode, Is.EqualTo(0));
        cli.TakeOrder();
        cli.Write("in.txt", "changed input");
        var page = cli.PathOf("plan.html");

        var result = await cli.RunAsync("--plan", page);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.Empty, "nothing ran");
        Assert.That(File.ReadAllText(cli.PathOf("out.txt")), Is.EqualTo("made"));
        var html = File.ReadAllText(page);
        Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Contain("<style>"));
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("<script").And.Not.Contain("<link"));
        Assert.That(html, Does.Contain("<code>gen</code>").And.Contain("in.txt changed"));
        Assert.That(html, Does.Contain("<code>boom</code>").And.Contain("always runs"));
        Assert.That(html, Does.Contain("class=\"would-run\""));
        Assert.That(html, Does.Contain("<a href=\"#task-2\"><code>talk</code></a>"), "boom's requirement links to talk's row");
        Assert.That(result.Output, Does.Contain($"plan written to {page}"));
    }

    [Test]
    public async Task The_plan_page_says_which_tasks_are_up_to_date()
    {
        using var cli = Project();
        Assert.That((await cli.RunAsync("gen")).ExitCode, Is.EqualTo(0));
        var page = cli.PathOf("plan.html");

        var result = await cli.RunAsync("gen", "--plan", page);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var html = File.ReadAllText(page);
        Assert.That(html, Does.Contain("class=\"up-to-date\"").And.Contain("up to date"));
        Assert.That(html, Does.Not.Contain("class=\"would-run\""));
    }
}
