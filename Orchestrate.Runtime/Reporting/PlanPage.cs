using System.Globalization;
using System.Net;
using System.Text;
using Orchestrate.Planning;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>
/// <c>run --plan FILE</c>: after a dry run, one self-contained HTML page (inline CSS, no script, no external
/// resource) with every task of the run in the order it would run: whether it would run and why, or why not (up
/// to date, ignored...), what it requires, its critical and forever marks, its doc, file deps and targets.
/// </summary>
public sealed class PlanPage : IRunObserver
{
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly TaskGraph _graph;
    private readonly bool _runCritical;
    private readonly Dictionary<string, string> _reasons = new(StringComparer.Ordinal);

    /// <summary>Writes the plan of a dry run of <paramref name="graph"/>'s tasks to <paramref name="path"/>.</summary>
    public PlanPage(string path, TaskGraph graph, bool runCritical)
    {
        _path = path;
        _graph = graph;
        _runCritical = runCritical;
    }

    /// <inheritdoc />
    public void RunStarting(IReadOnlyList<string> tasks) { }

    /// <inheritdoc />
    public void TaskStarted(string task, string reason) { }

    /// <inheritdoc />
    public void TaskWouldRun(string task, string reason)
    {
        lock (_gate)
        {
            _reasons[task] = reason;
        }
    }

    /// <inheritdoc />
    public void TaskOutput(string task, string line, bool isError) { }

    /// <inheritdoc />
    public void TaskFinished(TaskOutcome outcome) { }

    /// <inheritdoc />
    public void RunFinished(RunOutcome outcome)
    {
        string html;
        lock (_gate)
        {
            html = Render(outcome);
        }

        var temporary = RunObservers.TemporaryBeside(_path);
        File.WriteAllText(temporary, html, new UTF8Encoding(false));
        File.Move(temporary, _path, overwrite: true);
    }

    private string Render(RunOutcome outcome)
    {
        var position = new Dictionary<string, int>(outcome.Tasks.Count, StringComparer.Ordinal);
        for (var k = 0; k < outcome.Tasks.Count; k++)
        {
            position[outcome.Tasks[k].Name] = k + 1;
        }

        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Orchestrate plan</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; width: 100%; }
            th, td { border-bottom: 1px solid #ddd; padding: .35em .6em; text-align: left; vertical-align: top; }
            th { background: #f4f4f4; }
            code { font-family: ui-monospace, monospace; font-size: .92em; }
            .status { font-weight: 600; white-space: nowrap; }
            .would-run .status { color: #0a58ca; }
            .up-to-date .status, .ignored .status, .joined .status { color: #777; }
            .failed .status, .blocked .status, .not-run .status, .cancelled .status { color: #b00020; }
            .critical { border-left: 4px solid #d00; }
            .forever td.name { font-style: italic; }
            .mark { font-size: .8em; border: 1px solid #999; border-radius: 3px; padding: 0 .3em; margin-left: .4em; }
            .mark.crit { border-color: #d00; color: #d00; }
            .mark.forever { border-style: dashed; }
            .doc { color: #555; }
            </style>
            </head>
            <body>

            """);
        html.Append("<h1>Orchestrate plan</h1>\n<p>A dry run on ")
            .Append(Encode(DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)))
            .Append(": nothing ran. ").Append(outcome.Tasks.Count).Append(outcome.Tasks.Count == 1 ? " task" : " tasks");
        var counts = outcome.Tasks.GroupBy(t => t.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {StatusNames.Words(g.Key)}").ToList();
        if (counts.Count > 0)
        {
            html.Append(": ").Append(Encode(string.Join(", ", counts)));
        }

        html.Append(".</p>\n<table>\n<thead><tr><th>#</th><th>task</th><th>status</th><th>why</th><th>requires</th><th>file deps</th><th>targets</th></tr></thead>\n<tbody>\n");
        foreach (var task in outcome.Tasks)
        {
            var (descriptor, required) = RunTasks.Describe(_graph, outcome, task.Name);
            var critical = descriptor.Critical ?? _runCritical;
            var status = StatusNames.Json(task.Status);
            html.Append("<tr id=\"task-").Append(position[task.Name]).Append("\" class=\"").Append(status)
                .Append(critical ? " critical" : "").Append(descriptor.IsForever ? " forever" : "").Append("\">");
            html.Append("<td>").Append(position[task.Name]).Append("</td>");
            html.Append("<td class=\"name\"><code>").Append(Encode(task.Name)).Append("</code>");
            if (critical)
            {
                html.Append("<span class=\"mark crit\">critical</span>");
            }

            if (descriptor.IsForever)
            {
                html.Append("<span class=\"mark forever\">forever</span>");
            }

            if (descriptor.Doc is { } doc)
            {
                html.Append("<div class=\"doc\">").Append(Encode(doc)).Append("</div>");
            }

            html.Append("</td><td class=\"status\">").Append(Encode(StatusNames.Words(task.Status))).Append("</td><td>");
            html.Append(Encode(Why(task))).Append("</td><td>");
            var first = true;
            foreach (var name in required)
            {
                html.Append(first ? "" : ", ");
                first = false;
                if (position.TryGetValue(name, out var p))
                {
                    html.Append("<a href=\"#task-").Append(p).Append("\"><code>").Append(Encode(name)).Append("</code></a>");
                }
                else
                {
                    html.Append("<code>").Append(Encode(name)).Append("</code>");
                }
            }

            html.Append("</td><td>").Append(CodeList(descriptor.FileDeps)).Append("</td><td>").Append(CodeList(descriptor.Targets)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private string Why(TaskOutcome task) => task.Status switch
    {
        TaskRunStatus.WouldRun => _reasons.GetValueOrDefault(task.Name) ?? "",
        TaskRunStatus.UpToDate => "its file deps, targets and up-to-date rules are unchanged",
        TaskRunStatus.Ignored => "set aside with 'ignore' until 'forget'",
        TaskRunStatus.Joined => "gathers its hosts' nodes",
        TaskRunStatus.Blocked => $"needs {task.BlockedBy}, which failed",
        TaskRunStatus.Failed => FailureText.Summary(task.Error),
        _ => "",
    };

    private static string CodeList(IReadOnlyList<string> items) =>
        string.Join(", ", items.Select(i => $"<code>{Encode(i)}</code>"));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
