using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;
using Spectre.Console;

namespace Orchestrate.Tests.Reporting;

[TestFixture]
public class LiveViewTests
{
    /// <summary>A terminal that is not one: Spectre writes its ANSI output into a string.</summary>
    private static (IAnsiConsole Console, StringWriter Screen) FakeTerminal()
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        return (console, screen);
    }

    private static TaskDescriptor Task(string name, Func<TaskContext, Task> body, params string[] dependsOn) => new()
    {
        Name = name,
        Method = $"Tests.{name}",
        DependsOn = dependsOn,
        Invoke = async invocation =>
        {
            await body(invocation.Context);
            return null;
        },
    };

    [Test]
    public async Task The_live_view_shows_running_tasks_with_their_time_and_progress_with_output_lines_above()
    {
        var (console, screen) = FakeTerminal();
        var graph = TaskGraph.Build(
        [
            Task("quick", ctx =>
            {
                ctx.Log("quick says hi");
                return System.Threading.Tasks.Task.CompletedTask;
            }),
            Task("slow", async ctx =>
            {
                ctx.Log("slow starts");
                await ctx.Shell("sleep 0.8");
                ctx.Log("slow ends");
            }),
            Task("last", _ => System.Threading.Tasks.Task.CompletedTask, "slow"),
        ]);
        var project = Directory.CreateTempSubdirectory("orchestrate-live-").FullName;
        try
        {
            var live = new LiveView(console, TimeSpan.FromMilliseconds(50), ReportSymbols.Unicode);
            RunOutcome outcome;
            await using (live)
            {
                using var reporter = new ConsoleReporter(live.Writer, new ConsoleReporterOptions { Report = new RunReport(graph, ReportSymbols.Unicode) });
                var observer = new CompositeObserver(live, reporter);
                using var services = new ServiceCollection().BuildServiceProvider();
                var executor = new TaskExecutor(graph, services, new ProcessRunner(), observer, project);
                outcome = await Scheduler.RunAsync(graph, graph.TopologicalOrder, executor.ExecuteAsync, new SchedulerOptions { Jobs = 2 }, observer, CancellationToken.None);
            }

            Assert.That(outcome.Succeeded, Is.True);
            var text = screen.ToString();
            Assert.That(Regex.IsMatch(text, @"↺ slow\s+0\.[3-9]\ds"), Is.True, "slow is shown running, with its time growing:\n" + text);
            Assert.That(Regex.IsMatch(text, @"\[1/3\] 1 running, 1 done, \d\.\d\ds"), Is.True, "progress line:\n" + text);
            Assert.That(text, Does.Contain("slow  | slow starts").And.Contain("quick | quick says hi"));
            Assert.That(text, Does.Contain("\u001b["), "the region is redrawn in place with ANSI cursor moves");
            Assert.That(text.IndexOf("slow  | slow starts", StringComparison.Ordinal), Is.LessThan(text.IndexOf("slow  | slow ends", StringComparison.Ordinal)));
            var report = text.LastIndexOf("done: 3 tasks", StringComparison.Ordinal);
            Assert.That(report, Is.GreaterThan(text.LastIndexOf("running, ", StringComparison.Ordinal)), "the report comes after the live view is gone");
            Assert.That(text, Does.Contain("03   ☉ ☓    last"));
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Test]
    public void The_live_view_is_not_used_with_no_live_or_when_output_is_captured()
    {
        var (console, _) = FakeTerminal();

        Assert.That(LiveView.ShouldUse(noLive: true, outputIsConsole: true, console), Is.False);
        Assert.That(LiveView.ShouldUse(noLive: false, outputIsConsole: false, console), Is.False);
    }
}
