using Orchestrate.Planning;
using Orchestrate.Scheduling;

namespace Orchestrate.Reporting;

/// <summary>What the reports say of a task of a run: its descriptor and what it requires.</summary>
internal static class RunTasks
{
    /// <summary>A task of the run and the names of the tasks it requires: from the graph, or for a task the run learnt
    /// of while it went (a delayed group's sub-task, and the group), from the outcome.</summary>
    public static (TaskDescriptor Task, IReadOnlyList<string> Requires) Describe(TaskGraph graph, RunOutcome outcome, string name)
    {
        if (outcome.Grown is { } grown && grown.TryGetValue(name, out var task))
        {
            return (task.Descriptor, task.Requires);
        }

        graph.TryFind(name, out var index);
        var required = graph.Dependencies[index];
        var names = new string[required.Length];
        for (var r = 0; r < required.Length; r++)
        {
            names[r] = graph.Tasks[required[r].Task].Name;
        }

        return (graph.Tasks[index], names);
    }
}
