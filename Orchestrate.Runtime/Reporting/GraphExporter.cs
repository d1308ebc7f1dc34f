using System.Text;
using Orchestrate.Planning;

namespace Orchestrate.Reporting;

/// <summary>Writes the task graph for Graphviz (DOT) or Mermaid. Edges point from a task to the tasks that
/// need it, in the order things run; implicit file-dep edges are dashed and labelled with the file.</summary>
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
            if (task.Doc is { } doc)
            {
                text.Append(" [tooltip=").Append(DotId(doc)).Append(']');
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
