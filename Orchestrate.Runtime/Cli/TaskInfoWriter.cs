using Orchestrate.Planning;

namespace Orchestrate.Cli;

/// <summary>The text of <c>list</c> and <c>info</c>.</summary>
internal static class TaskInfoWriter
{
    public static void List(TaskGraph graph, TextWriter output)
    {
        var order = Enumerable.Range(0, graph.Tasks.Count).OrderBy(i => graph.Tasks[i].Name, StringComparer.Ordinal).ToArray();
        var width = order.Length == 0 ? 0 : order.Max(i => graph.Tasks[i].Name.Length);
        foreach (var i in order)
        {
            var task = graph.Tasks[i];
            var doc = task.Doc ?? "";
            if (task.IsDefault)
            {
                doc = doc.Length == 0 ? "(default)" : $"{doc} (default)";
            }

            output.WriteLine(doc.Length == 0 ? task.Name : $"{task.Name.PadRight(width)}  {doc}");
        }
    }

    /// <param name="graph">The graph the task is in.</param>
    /// <param name="index">The task.</param>
    /// <param name="status">Its status in words.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="knownFrom">Where a task the program does not declare is known from (a sub-task only the state store knows).</param>
    public static void Info(TaskGraph graph, int index, string status, TextWriter output, string? knownFrom = null)
    {
        var task = graph.Tasks[index];
        output.WriteLine(task.Doc is null ? task.Name : $"{task.Name}: {task.Doc}");
        Field(output, "status", [status]);
        if (knownFrom is not null)
        {
            Field(output, "known from", [knownFrom]);
        }

        Field(output, "method", string.IsNullOrEmpty(task.Method) ? [] : [task.Method + (task.Source is null ? "" : $" ({task.Source})")]);
        Field(output, "depends on", graph.Dependencies[index].Select(d => graph.Tasks[d.Task].Name + d.Kind switch
        {
            DependencyKind.FileDep => $" (file dep {d.Path} is its target)",
            DependencyKind.CreateAfter => " (created after it)",
            DependencyKind.ResultDep => " (result dep)",
            DependencyKind.CalcDep => " (computes its deps)",
            _ => "",
        }));
        Field(output, "needed by", graph.Dependents[index].Select(i => graph.Tasks[i].Name));
        Field(output, "file deps", task.FileDeps);
        Field(output, "targets", task.Targets);
        if (task.Hosts is not null)
        {
            Field(output, "hosts", [task.Host is null ? $"{task.Hosts} (no inventory: not expanded)" : $"{task.Host} (of {task.Hosts})"]);
            Field(output, "ship", task.Ships.Select(ship => $"{ship.Local} -> {ship.RemoteDirectory}"));
            Field(output, "steps", task.RemoteSteps.Select(step => step.Command + (step.User is null ? "" : $" (as {step.User})") + (step.Sudo ? " (sudo)" : "")));
            Field(output, "fetch", task.Fetches.Select(fetch => $"{fetch.RemotePath} -> {fetch.LocalDirectory}"));
            if (task.RemoteTargets.Count > 0)
            {
                Field(output, "remote targets", task.RemoteTargets);
            }
        }

        if (task.UpToDate.Count > 0)
        {
            Field(output, "up to date", task.UpToDate.Select(Describe));
        }
        if (task.IsDefault)
        {
            Field(output, "default", ["yes: runs when no task is named"]);
        }
    }

    private static string Describe(UpToDateRule rule) => rule switch
    {
        RunOnceRule => "run once",
        ConfigChangedRule c => $"while config {c.Name} is unchanged",
        ResultDepRule r => $"while the result of {r.Task} is unchanged",
        ExpiresAfterRule e => $"expires after {e.Lifetime}",
        TimestampUnchangedRule t => $"while the {t.Kind.ToString().ToLowerInvariant()} time of {t.Path} is unchanged",
        CustomRule c => $"while {c.Name} says so",
        _ => rule.ToString(),
    };

    private static void Field(TextWriter output, string label, IEnumerable<string> values)
    {
        var list = values.ToList();
        output.WriteLine($"  {label + ":",-12} {(list.Count == 0 ? "(none)" : string.Join(", ", list))}");
    }
}
