using System;
using Microsoft.CodeAnalysis;

namespace Orchestrate.Generators
{
    /// <summary>The diagnostics of the task graph. All are errors: a broken graph must not build.</summary>
    public static class DiagnosticDescriptors
    {
        private const string Category = "Orchestrate";
        private const string HelpLink = "https://github.com/orchestrate/orchestrate/blob/main/README.md#diagnostics";

        /// <summary>ORCH0001: tasks depend on each other in a cycle.</summary>
        public static readonly DiagnosticDescriptor Cycle = new DiagnosticDescriptor(
            id: "ORCH0001",
            title: "Task dependency cycle",
            messageFormat: "Task '{0}' is part of a dependency cycle: {1}. Remove one of these dependencies.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Tasks cannot depend on each other in a cycle. Edges come from [DependsOn], [CreateAfter], and file deps that are another task's target; an edge of the last kind is shown as \"-> b (file dep 'x' is a target of 'b')\".",
            helpLinkUri: HelpLink);

#pragma warning disable RS1032 // The message ends with advice that is a question or a sentence of its own.
        /// <summary>ORCH0002: a [DependsOn] or [CreateAfter] reference names no task.</summary>
        public static readonly DiagnosticDescriptor UnknownReference = new DiagnosticDescriptor(
            id: "ORCH0002",
            title: "Unknown task reference",
            messageFormat: "Task '{0}' {1} '{2}', which is not a task. {3}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A reference names a task by its task name, by the method name of a task, or as Type.Method.",
            helpLinkUri: HelpLink);
#pragma warning restore RS1032

        /// <summary>ORCH0003: two tasks have the same name.</summary>
        public static readonly DiagnosticDescriptor DuplicateName = new DiagnosticDescriptor(
            id: "ORCH0003",
            title: "Duplicate task name",
            messageFormat: "Task name '{0}' of method '{1}' is also the name of {2}. Task names must be unique: give one of them another name with [Task(\"...\")].",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Each task name must be unique across the program.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0004: two tasks declare the same target.</summary>
        public static readonly DiagnosticDescriptor DuplicateTarget = new DiagnosticDescriptor(
            id: "ORCH0004",
            title: "Duplicate target",
            messageFormat: "Target '{0}' of task '{1}' is also a target of {2}. A file can be created by only one task: remove it from the [Targets] of all but one of them.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Each target file must be created by exactly one task. Paths are compared after normalization (slashes, leading './').",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0005: a task parameter the runtime cannot supply.</summary>
        public static readonly DiagnosticDescriptor UnsupportedParameter = new DiagnosticDescriptor(
            id: "ORCH0005",
            title: "Unsupported task parameter",
            messageFormat: "Parameter '{0}' of task '{1}' {2}, which the runtime cannot supply. Task parameters may be TaskContext, CancellationToken, or a class or interface registered in dependency injection.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The runtime supplies TaskContext (or a subclass), CancellationToken, and services resolved from dependency injection.",
            helpLinkUri: HelpLink);

#pragma warning disable RS1032 // The message ends with advice that is a question or a sentence of its own.
        /// <summary>ORCH0006: a method that cannot be a task.</summary>
        public static readonly DiagnosticDescriptor UnsupportedMethod = new DiagnosticDescriptor(
            id: "ORCH0006",
            title: "Unsupported task method",
            messageFormat: "Method '{0}' cannot be a task: {1}. {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A task method must be non-generic, accessible from its assembly, callable without type arguments (static, or an instance method of a concrete non-generic class), and return void, Task, ValueTask, Task<T>, ValueTask<T> or a value.",
            helpLinkUri: HelpLink);
#pragma warning restore RS1032

        /// <summary>ORCH0007: a method name that matches tasks in several classes.</summary>
        public static readonly DiagnosticDescriptor AmbiguousReference = new DiagnosticDescriptor(
            id: "ORCH0007",
            title: "Ambiguous task reference",
            messageFormat: "Task '{0}' {1} '{2}', which matches several tasks: {3}. Name one of them as Type.Method or by its task name.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A method name refers to a task of the same class first; otherwise it must be unique across all tasks.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0008: a task name that is empty or uses reserved characters.</summary>
        public static readonly DiagnosticDescriptor InvalidName = new DiagnosticDescriptor(
            id: "ORCH0008",
            title: "Invalid task name",
            messageFormat: "Task name '{0}' of method '{1}' is invalid: {2}. Use a non-empty name without whitespace, ':', ',' or '/', which are reserved for host and sub-task names.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Task names are used on the command line; ':', ',' and '/' separate hosts and sub-tasks.",
            helpLinkUri: HelpLink);

        internal static DiagnosticDescriptor Get(string id)
        {
            switch (id)
            {
                case "ORCH0001": return Cycle;
                case "ORCH0002": return UnknownReference;
                case "ORCH0003": return DuplicateName;
                case "ORCH0004": return DuplicateTarget;
                case "ORCH0005": return UnsupportedParameter;
                case "ORCH0006": return UnsupportedMethod;
                case "ORCH0007": return AmbiguousReference;
                case "ORCH0008": return InvalidName;
                default: throw new ArgumentOutOfRangeException(nameof(id), id, "Unknown Orchestrate diagnostic id.");
            }
        }
    }
}
