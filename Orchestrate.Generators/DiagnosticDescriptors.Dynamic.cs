using Microsoft.CodeAnalysis;

namespace Orchestrate.Generators
{
    /// <content>The diagnostics of graphs that grow while running: sub-tasks, <c>TargetRegex</c>, <c>[CalcDep]</c>.</content>
    public static partial class DiagnosticDescriptors
    {
        /// <summary>ORCH0040: a <c>[CreateAfter]</c> whose <c>TargetRegex</c> is not a regular expression.</summary>
        public static readonly DiagnosticDescriptor InvalidTargetRegex = new DiagnosticDescriptor(
            id: "ORCH0040",
            title: "Invalid target regex",
            messageFormat: "Task '{0}' has TargetRegex \"{1}\", which is not a valid regular expression: {2}. Fix the pattern: it is matched, from the start, against target paths named on the command line.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "TargetRegex (doit's target_regex) is a .NET regular expression matched from the start of a path (as Python's re.match) against targets named on the command line that no task declares.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0041: a <c>[CalcDep]</c> naming a task that does not return <c>CalculatedDeps</c>.</summary>
        public static readonly DiagnosticDescriptor CalcDepWithoutCalculatedDeps = new DiagnosticDescriptor(
            id: "ORCH0041",
            title: "Calculated-deps task does not return CalculatedDeps",
            messageFormat: "Task '{0}' has its deps computed by '{1}', but method '{2}' returns '{3}', not CalculatedDeps. Make '{2}' return CalculatedDeps (or Task<CalculatedDeps>, ValueTask<CalculatedDeps>), or name another task in [CalcDep].",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A task named by [CalcDep] (doit's calc_dep) computes file deps and task deps of the task at run time: its method must return CalculatedDeps, Task<CalculatedDeps> or ValueTask<CalculatedDeps>.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0042: a <c>TargetRegex</c> on a task whose method does not yield sub-tasks.</summary>
        public static readonly DiagnosticDescriptor TargetRegexWithoutSubTasks = new DiagnosticDescriptor(
            id: "ORCH0042",
            title: "Target regex on a task without sub-tasks",
            messageFormat: "Task '{0}' has TargetRegex \"{1}\", but method '{2}' returns '{3}', not sub-tasks: only sub-tasks created after '{4}' can make the targets it matches. Return IEnumerable<SubTask> from '{2}', or remove TargetRegex.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "TargetRegex selects a group created after another task for targets that its sub-tasks will make; a task that yields no sub-tasks would be run for them and make none.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0043: a group expanded when the graph is loaded whose method needs the run's services.</summary>
        public static readonly DiagnosticDescriptor SubTasksNeedServices = new DiagnosticDescriptor(
            id: "ORCH0043",
            title: "Sub-tasks yielded before services exist",
            messageFormat: "Task '{0}' yields its sub-tasks when the graph is loaded, before the run's services exist, but {1}. Make it a static method without service parameters, or add [CreateAfter(...)] so that it is called during the run, with the services.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A method returning IEnumerable<SubTask> without [CreateAfter] is called when the graph is loaded (so list, info and graph show its sub-tasks), before dependency injection is set up.",
            helpLinkUri: HelpLink);

        private static DiagnosticDescriptor? FindDynamic(string id) => id switch
        {
            "ORCH0040" => InvalidTargetRegex,
            "ORCH0041" => CalcDepWithoutCalculatedDeps,
            "ORCH0042" => TargetRegexWithoutSubTasks,
            "ORCH0043" => SubTasksNeedServices,
            _ => null,
        };
    }
}
