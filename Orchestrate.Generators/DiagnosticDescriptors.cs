using System;
using Microsoft.CodeAnalysis;

namespace Orchestrate.Generators
{
    /// <summary>The diagnostics of the task graph. All are errors: a broken graph must not build.</summary>
    public static partial class DiagnosticDescriptors
    {
        private const string Category = "Orchestrate";
        // No help link: the project has no public address to point at, and a placeholder sends the IDE's user nowhere.
        // Each message says what is wrong, where, and how to fix it; docs/diagnostics.md lists every id.
        private const string? HelpLink = null;

        /// <summary>ORCH0001: tasks depend on each other in a cycle.</summary>
        public static readonly DiagnosticDescriptor Cycle = new DiagnosticDescriptor(
            id: "ORCH0001",
            title: "Task dependency cycle",
            messageFormat: "Task '{0}' is part of a dependency cycle: {1}. Remove one of these dependencies.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Tasks cannot depend on each other in a cycle. Edges come from [DependsOn], [ResultDep], [CreateAfter], [Sequence] (each element runs after the one before it, the sequence task after its last element, and the sequence task's [DependsOn] apply to its first element), and file deps that are another task's target; an edge of the last kind is shown as \"-> b (file dep 'x' is a target of 'b')\", a sequence edge as \"-> a (before 'b' in sequence 's')\".",
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

#pragma warning disable RS1032 // The message ends with advice that is a question or a sentence of its own.
        /// <summary>ORCH0009: a [ConfigChanged], [UpToDateIf] or [Clean] reference names no method.</summary>
        public static readonly DiagnosticDescriptor UnknownRuleMethod = new DiagnosticDescriptor(
            id: "ORCH0009",
            title: "Unknown up-to-date or clean method",
            messageFormat: "Task '{0}' uses [{1}(\"{2}\")], but {3}. {4}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[ConfigChanged], [UpToDateIf] and [Clean] name a method of the task's class, or a method of another class as Type.Method (nameof works for both).",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0010: a rule or clean method that generated code cannot call as required.</summary>
        public static readonly DiagnosticDescriptor UnsupportedRuleMethod = new DiagnosticDescriptor(
            id: "ORCH0010",
            title: "Unsupported up-to-date or clean method",
            messageFormat: "Task '{0}' uses [{1}(\"{2}\")], but method '{3}' cannot be used: {4}. {5}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [ConfigChanged] method returns the configuration value (not void or a task) and takes no parameters or only services; an [UpToDateIf] method returns bool or bool? (or a Task or ValueTask of one) and takes UpToDateContext, CancellationToken or services; a [Clean] method takes what a task may take. All must be non-generic, accessible from the assembly, and static or instance methods of a concrete class.",
            helpLinkUri: HelpLink);
#pragma warning restore RS1032

        /// <summary>ORCH0011: [ExpiresAfter] with a total that is not positive (or too large).</summary>
        public static readonly DiagnosticDescriptor InvalidExpiry = new DiagnosticDescriptor(
            id: "ORCH0011",
            title: "Invalid expiry",
            messageFormat: "Task '{0}' expires after {1} seconds, {2}. Set Days, Hours, Minutes or Seconds of [ExpiresAfter] to a positive total of at most 10675199 days.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[ExpiresAfter] adds Days, Hours, Minutes and Seconds; the total must be positive and fit in a TimeSpan.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0012: an attribute that only a host task may have, on a task without [Hosts].</summary>
        public static readonly DiagnosticDescriptor RemoteAttributeWithoutHosts = new DiagnosticDescriptor(
            id: "ORCH0012",
            title: "Remote attribute on a local task",
            messageFormat: "Task '{0}' has [{1}], which only a host task can have, but it has no [Hosts]. Add [Hosts(\"group\")] to say where it runs, or remove [{1}].",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[RemoteStep], [Ship], [Fetch], [RemoteTargets] and [Barrier] describe what a task does on its hosts: the task needs [Hosts] to have any.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0013: a task method that takes a RemoteContext, on a task without [Hosts].</summary>
        public static readonly DiagnosticDescriptor RemoteContextWithoutHosts = new DiagnosticDescriptor(
            id: "ORCH0013",
            title: "Remote context in a local task",
            messageFormat: "Parameter '{0}' of task '{1}' has type '{2}', which only a host task gets, but the task has no [Hosts]. Add [Hosts(\"group\")] to say where it runs, or take a TaskContext.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The runtime passes a RemoteContext only to the nodes of a host task, one per host its [Hosts] pattern selects.",
            helpLinkUri: HelpLink);

#pragma warning disable RS1032 // The message ends with advice that is a sentence of its own.
        /// <summary>ORCH0014: an empty host pattern, command or path, or a negative timeout, in a remote attribute.</summary>
        public static readonly DiagnosticDescriptor InvalidRemoteValue = new DiagnosticDescriptor(
            id: "ORCH0014",
            title: "Invalid remote attribute value",
            messageFormat: "Task '{0}' has an invalid {1} in [{2}]: {3}. {4}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The host pattern of [Hosts], the command of [RemoteStep] and the paths of [Ship] and [Fetch] must not be empty or whitespace; TimeoutSeconds of [RemoteStep] must not be negative (0: no limit).",
            helpLinkUri: HelpLink);
#pragma warning restore RS1032

        /// <summary>ORCH0015: a malformed placeholder in a remote command or path.</summary>
        public static readonly DiagnosticDescriptor MalformedPlaceholder = new DiagnosticDescriptor(
            id: "ORCH0015",
            title: "Malformed placeholder",
            messageFormat: "Task '{0}' has a malformed placeholder in the {1} \"{2}\" of [{3}]: {4}. Write {{name}} for a host variable, and {{{{ or }}}} for a literal brace.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Commands of [RemoteStep] and paths of [Ship] and [Fetch] may hold placeholders: {host}, {address} and host variables such as {port}, known at run time. A name starts with a letter or '_' and goes on with letters, digits, '_', '.' or '-'; {{ and }} are literal braces.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0016: a [Timeout] that is not a positive, finite number of seconds a TimeSpan holds.</summary>
        public static readonly DiagnosticDescriptor InvalidTimeout = new DiagnosticDescriptor(
            id: "ORCH0016",
            title: "Invalid timeout",
            messageFormat: "Task '{0}' has a timeout of {1} seconds, {2}. Set [Timeout] to a positive number of seconds (at most 10675199 days), or remove it for no limit.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[Timeout(seconds)] cancels the task when it runs longer than that: the value must be above zero, finite, and fit in a TimeSpan.",
            helpLinkUri: HelpLink);

#pragma warning disable RS1032 // The message ends with advice that is a sentence of its own.
        /// <summary>ORCH0017: a [Resource] with an empty name or a limit below 1, or named twice on one task.</summary>
        public static readonly DiagnosticDescriptor InvalidResource = new DiagnosticDescriptor(
            id: "ORCH0017",
            title: "Invalid resource",
            messageFormat: "Task '{0}' has an invalid [Resource]: {1}. {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[Resource(name, limit)] names a scarce resource (not empty or whitespace) and how many tasks naming it may run at once (1 or more); a task names each resource once.",
            helpLinkUri: HelpLink);
#pragma warning restore RS1032

        /// <summary>ORCH0018: a [Sequence] that names no task.</summary>
        public static readonly DiagnosticDescriptor EmptySequence = new DiagnosticDescriptor(
            id: "ORCH0018",
            title: "Empty sequence",
            messageFormat: "Task '{0}' has an empty [Sequence]: it names no task to run. List the tasks to run in order, such as [Sequence(nameof(Build), nameof(Test))], or remove [Sequence].",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A sequence task runs the tasks its [Sequence] names, in order, then its own method; an empty list is a mistake.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0019: the same task twice in one [Sequence].</summary>
        public static readonly DiagnosticDescriptor DuplicateSequenceElement = new DiagnosticDescriptor(
            id: "ORCH0019",
            title: "Task repeated in a sequence",
            messageFormat: "Task '{0}' lists task '{1}' more than once in its [Sequence]. A task runs at most once in a run, so it cannot come back later in a sequence: remove the repeated '{2}'.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Each element of a [Sequence] runs after the one before it; a task runs once per run, so it can appear only once in a sequence (references are compared after resolution: nameof(Build) and \"build\" are the same task).",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0020: a [Forever] task that declares targets.</summary>
        public static readonly DiagnosticDescriptor ForeverWithTargets = new DiagnosticDescriptor(
            id: "ORCH0020",
            title: "Forever task with targets",
            messageFormat: "Task '{0}' has [Forever] and [{1}], but a task that never finishes never finishes making its targets, so no task can rely on them. Remove [{1}], or remove [Forever] if the task ends by itself.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Forever] task (a log tail, a monitor) is stopped once every other task is done; its files are never finished, so it cannot declare [Targets] or [RemoteTargets].",
            helpLinkUri: HelpLink);

#pragma warning disable RS1032 // The message ends with advice that is a sentence of its own.
        /// <summary>ORCH0021: a task that waits for a [Forever] task to finish.</summary>
        public static readonly DiagnosticDescriptor WaitsForForever = new DiagnosticDescriptor(
            id: "ORCH0021",
            title: "Dependency on a forever task",
            messageFormat: "Task '{0}' {1} '{2}', which is a [Forever] task: it never finishes, so this would wait for ever. {3}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Forever] task runs alongside the others and is stopped once they are done: nothing can wait for it to finish, so it cannot be named by [ResultDep], [CreateAfter], [CalcDep] or in a [Sequence]. A [DependsOn] on it waits for it to start.",
            helpLinkUri: HelpLink);
#pragma warning restore RS1032

#pragma warning disable RS1032 // The message ends with advice that is a question or a sentence of its own.
        /// <summary>ORCH0022: a [LocalPre], [LocalPost] or [ForEach] reference names no method.</summary>
        public static readonly DiagnosticDescriptor UnknownSequenceMethod = new DiagnosticDescriptor(
            id: "ORCH0022",
            title: "Unknown local step or items method",
            messageFormat: "Task '{0}' uses [{1}(\"{2}\")], but {3}. {4}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[LocalPre], [LocalPost] and [ForEach] name a method of the task's class (nameof(Method)), or a method of another class as Type.Method.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0023: a [LocalPre], [LocalPost] or [ForEach] method that generated code cannot call as required.</summary>
        public static readonly DiagnosticDescriptor UnsupportedSequenceMethod = new DiagnosticDescriptor(
            id: "ORCH0023",
            title: "Unsupported local step or items method",
            messageFormat: "Task '{0}' uses [{1}(\"{2}\")], but method '{3}' cannot be used: {4}. {5}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [LocalPre] or [LocalPost] method is shaped like a task method: it takes RemoteContext (or TaskContext), CancellationToken or services, and returns void, Task, ValueTask, Task<T>, ValueTask<T> or a value. A [ForEach] method is static, takes no parameter or one HostInfo, and returns the items as an IEnumerable<string> (string[], List<string>, ...). All must be non-generic and accessible from the assembly.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0024: a [SubSequenceOf] naming a task that cannot be a super sequence.</summary>
        public static readonly DiagnosticDescriptor InvalidSuperSequence = new DiagnosticDescriptor(
            id: "ORCH0024",
            title: "Invalid super sequence",
            messageFormat: "Task '{0}' is a sub sequence of '{1}', but {2}. {3}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[SubSequenceOf] names the host task ([Hosts]) whose hosts the sub sequence runs on, after it; a sub sequence cannot be its own super sequence, and sub sequences do not nest.",
            helpLinkUri: HelpLink);
#pragma warning restore RS1032

        /// <summary>ORCH0025: [Hosts] on a sub sequence, which runs on its super sequence's hosts.</summary>
        public static readonly DiagnosticDescriptor HostsOnSubSequence = new DiagnosticDescriptor(
            id: "ORCH0025",
            title: "Hosts on a sub sequence",
            messageFormat: "Task '{0}' has [Hosts] and [SubSequenceOf(\"{1}\")], but a sub sequence runs on the hosts of its super sequence, so its own [Hosts] would not be used. Remove [Hosts]; to run on other hosts, make it a host task of its own instead of a sub sequence.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A sub sequence runs after its super sequence on each of the super sequence's hosts; it has no [Hosts] of its own.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0026: [ForEach] on a task that is not a sub sequence.</summary>
        public static readonly DiagnosticDescriptor ForEachWithoutSubSequence = new DiagnosticDescriptor(
            id: "ORCH0026",
            title: "Items without a sub sequence",
            messageFormat: "Task '{0}' has [ForEach], but only a sub sequence runs once per item. Add [SubSequenceOf(nameof(SuperTask))] to run it after a host task once per item on each host, or remove [ForEach].",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[ForEach] gives the items of a sub sequence ([SubSequenceOf]) on each host; on any other task it would never be used.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0027: [LocalPre] or [LocalPost] on a task that is neither a host task nor a sub sequence.</summary>
        public static readonly DiagnosticDescriptor LocalStepOnLocalTask = new DiagnosticDescriptor(
            id: "ORCH0027",
            title: "Local step on a local task",
            messageFormat: "Task '{0}' has [{1}], which only a host task or a sub sequence can have (it runs on this machine once per host), but the task has neither [Hosts] nor [SubSequenceOf]. Add [Hosts(\"group\")] or [SubSequenceOf(nameof(SuperTask))], or remove [{1}].",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[LocalPre] and [LocalPost] are phases of a remote task sequence: they run on this machine for each host, before the files are shipped and after they are fetched.",
            helpLinkUri: HelpLink);

        /// <summary>ORCH0028: [LocalPre] or [LocalPost] on a [Forever] task or a [Sequence] task.</summary>
        public static readonly DiagnosticDescriptor LocalStepOnSingleNodeTask = new DiagnosticDescriptor(
            id: "ORCH0028",
            title: "Local step on a forever or sequence task",
            messageFormat: "Task '{0}' has [{1}], but it is a [{2}] task, which runs on each host as one node without the local phases. Move the local work into a task of its own ([DependsOn] it, or make it a step of the [Sequence]), or remove [{2}].",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A host task with [LocalPre] or [LocalPost] runs as a chain of phase nodes per host; a [Forever] task (which never finishes) and a [Sequence] task (whose elements are its steps) run as one node per host, so a local phase would never run.",
            helpLinkUri: HelpLink);

        internal static DiagnosticDescriptor Get(string id)
        {
            if (FindDynamic(id) is { } dynamic)
            {
                return dynamic;
            }

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
                case "ORCH0009": return UnknownRuleMethod;
                case "ORCH0010": return UnsupportedRuleMethod;
                case "ORCH0011": return InvalidExpiry;
                case "ORCH0012": return RemoteAttributeWithoutHosts;
                case "ORCH0013": return RemoteContextWithoutHosts;
                case "ORCH0014": return InvalidRemoteValue;
                case "ORCH0015": return MalformedPlaceholder;
                case "ORCH0016": return InvalidTimeout;
                case "ORCH0017": return InvalidResource;
                case "ORCH0018": return EmptySequence;
                case "ORCH0019": return DuplicateSequenceElement;
                case "ORCH0020": return ForeverWithTargets;
                case "ORCH0021": return WaitsForForever;
                case "ORCH0022": return UnknownSequenceMethod;
                case "ORCH0023": return UnsupportedSequenceMethod;
                case "ORCH0024": return InvalidSuperSequence;
                case "ORCH0025": return HostsOnSubSequence;
                case "ORCH0026": return ForEachWithoutSubSequence;
                case "ORCH0027": return LocalStepOnLocalTask;
                case "ORCH0028": return LocalStepOnSingleNodeTask;
                default: throw new ArgumentOutOfRangeException(nameof(id), id, "Unknown Orchestrate diagnostic id.");
            }
        }
    }
}
