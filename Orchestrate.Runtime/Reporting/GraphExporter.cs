using System.Text;
using Orchestrate.Planning;

namespace Orchestrate.Reporting;

/// <summary>Writes the task graph for Graphviz (DOT) or Mermaid. Edges point from a task to the tasks that
/// need it, in the order things run; implicit file-dep edges are dashed and labelled with the file. As in
/// asynciojobs' graphs, a critical task (<c>[Critical]</c>) has a red border and a forever task (<c>[Forever]</c>)
/// a dashed one.</summary>
public static class GraphExporter
{
    /// <summary>The graph (or the given plan of it) in DOT.</summary>
    public static string ToDot(TaskGraph graph, IReadOnlyList<int> tasks)
    {
        var text = new StringBuilder();
        text.AppendLine("digraph tasks {");
        text.AppendLine("  rankdir=LR;");
        text.AppendLine("  node [shape=box, style=rounded];");
        var included = Included(graph, tasks);
        foreach (var i in tasks)
        {
            var task = graph.Tasks[i];
            text.Append("  ").Append(DotId(task.Name));
            var attributes = new List<string>();
            if (task.Doc is { } doc)
            {
                attributes.Add($"tooltip={DotId(doc)}");
            }

            if (task.Critical == true)
            {
                attributes.Add("color=red, penwidth=2");
            }

            if (task.IsForever)
            {
                attributes.Add("style=\"rounded,dashed\"");
            }

            if (attributes.Count > 0)
            {
                text.Append(" [").AppendJoin(", ", attributes).Append(']');
            }

            text.AppendLine(";");
        }

        foreach (var i in tasks)
        {
            foreach (var d in graph.Dependencies[i])
            {
                if (!included[d.Task])
                {
                    continue;
                }

                text.Append("  ").Append(DotId(graph.Tasks[d.Task].Name)).Append(" -> ").Append(DotId(graph.Tasks[i].Name));
                text.AppendLine(d.Kind switch
                {
                    DependencyKind.FileDep => $" [style=dashed, label={DotId(d.Path ?? "")}];",
                    DependencyKind.CreateAfter => " [style=dotted, label=\"create after\"];",
                    _ => ";",
                });
            }
        }

        text.AppendLine("}");
        return text.ToString();
    }

    /// <summary>The graph (or the given plan of it) as a Mermaid flowchart.</summary>
    public static string ToMermaid(TaskGraph graph, IReadOnlyList<int> tasks)
    {
        var text = new StringBuilder();
        text.AppendLine("flowchart LR");
        var included = Included(graph, tasks);
        foreach (var i in tasks)
        {
            text.Append("  t").Append(i).Append("[\"").Append(MermaidText(graph.Tasks[i].Name)).AppendLine("\"]");
        }

        foreach (var i in tasks)
        {
            foreach (var d in graph.Dependencies[i])
            {
                if (!included[d.Task])
                {
                    continue;
                }

                text.Append("  t").Append(d.Task);
                text.Append(d.Kind switch
                {
                    DependencyKind.FileDep => $" -. \"{MermaidText(d.Path ?? "")}\" .-> ",
                    DependencyKind.CreateAfter => " -. \"create after\" .-> ",
                    _ => " --> ",
                });
                text.Append('t').Append(i).AppendLine();
            }
        }

        var critical = tasks.Where(i => graph.Tasks[i].Critical == true).ToList();
        var forever = tasks.Where(i => graph.Tasks[i].IsForever).ToList();
        if (critical.Count > 0)
        {
            text.AppendLine("  classDef critical stroke:#d00,stroke-width:2px;");
            text.Append("  class ").AppendJoin(",", critical.Select(i => $"t{i}")).AppendLine(" critical;");
        }

        if (forever.Count > 0)
        {
            text.AppendLine("  classDef forever stroke-dasharray:5 5;");
            text.Append("  class ").AppendJoin(",", forever.Select(i => $"t{i}")).AppendLine(" forever;");
        }

        return text.ToString();
    }

    private static bool[] Included(TaskGraph graph, IReadOnlyList<int> tasks)
    {
        var included = new bool[graph.Tasks.Count];
        foreach (var i in tasks)
        {
            included[i] = true;
        }

        return included;
    }

    private static string DotId(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    private static string MermaidText(string value) =>
        value.Replace("\"", "#quot;", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
