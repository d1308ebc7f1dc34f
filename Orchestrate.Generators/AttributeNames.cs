namespace Orchestrate.Generators
{
    /// <summary>Metadata names of the attributes the generator reads.</summary>
    public static class AttributeNames
    {
        /// <summary>The namespace every Orchestrate attribute lives in.</summary>
        public const string Namespace = "Orchestrate";

        /// <summary><c>[Task]</c>: marks a method as a task.</summary>
        public const string Task = "Orchestrate.TaskAttribute";

        /// <summary><c>[DependsOn]</c>: explicit task dependencies.</summary>
        public const string DependsOn = "Orchestrate.DependsOnAttribute";

        /// <summary><c>[FileDep]</c>: files a task reads.</summary>
        public const string FileDep = "Orchestrate.FileDepAttribute";

        /// <summary><c>[Targets]</c>: files a task creates.</summary>
        public const string Targets = "Orchestrate.TargetsAttribute";

        /// <summary><c>[CreateAfter]</c>: the task is created after another task ran.</summary>
        public const string CreateAfter = "Orchestrate.CreateAfterAttribute";

        /// <summary><c>[CalcDep]</c>: another task computes more dependencies of this one at run time.</summary>
        public const string CalcDep = "Orchestrate.CalcDepAttribute";

        /// <summary><c>SubTask</c>: what a task method that is a group returns a sequence of.</summary>
        public const string SubTask = "Orchestrate.SubTask";

        /// <summary><c>CalculatedDeps</c>: what a task named by <c>[CalcDep]</c> returns.</summary>
        public const string CalculatedDeps = "Orchestrate.CalculatedDeps";

        /// <summary><c>[RunOnce]</c>: up to date once it succeeded.</summary>
        public const string RunOnce = "Orchestrate.RunOnceAttribute";

        /// <summary><c>[ConfigChanged]</c>: out of date when a computed value changes.</summary>
        public const string ConfigChanged = "Orchestrate.ConfigChangedAttribute";

        /// <summary><c>[ResultDep]</c>: out of date when another task's result changes.</summary>
        public const string ResultDep = "Orchestrate.ResultDepAttribute";

        /// <summary><c>[ExpiresAfter]</c>: out of date some time after the last success.</summary>
        public const string ExpiresAfter = "Orchestrate.ExpiresAfterAttribute";

        /// <summary><c>[TimestampUnchanged]</c>: out of date when a path's timestamp changes.</summary>
        public const string TimestampUnchanged = "Orchestrate.TimestampUnchangedAttribute";

        /// <summary><c>[UpToDateIf]</c>: a custom up-to-date predicate.</summary>
        public const string UpToDateIf = "Orchestrate.UpToDateIfAttribute";

        /// <summary><c>[Clean]</c>: what <c>clean</c> runs for the task.</summary>
        public const string Clean = "Orchestrate.CleanAttribute";

        /// <summary><c>[Hosts]</c>: the task runs on every host a pattern selects.</summary>
        public const string Hosts = "Orchestrate.HostsAttribute";

        /// <summary><c>[Barrier]</c>: a host task that waits for its host-task dependencies on every host.</summary>
        public const string Barrier = "Orchestrate.BarrierAttribute";

        /// <summary><c>[RemoteStep]</c>: a command run on each host.</summary>
        public const string RemoteStep = "Orchestrate.RemoteStepAttribute";

        /// <summary><c>[Ship]</c>: local files sent to each host.</summary>
        public const string Ship = "Orchestrate.ShipAttribute";

        /// <summary><c>[Fetch]</c>: a file brought back from each host.</summary>
        public const string Fetch = "Orchestrate.FetchAttribute";

        /// <summary><c>[RemoteTargets]</c>: paths on each host that the task makes.</summary>
        public const string RemoteTargets = "Orchestrate.RemoteTargetsAttribute";

        /// <summary><c>[Critical]</c>: whether the task's failure aborts the run.</summary>
        public const string Critical = "Orchestrate.CriticalAttribute";

        /// <summary><c>[Forever]</c>: a task that never ends by itself, stopped once the others are done.</summary>
        public const string Forever = "Orchestrate.ForeverAttribute";

        /// <summary><c>[Timeout]</c>: the task is cancelled past this many seconds.</summary>
        public const string Timeout = "Orchestrate.TimeoutAttribute";

        /// <summary><c>[Resource]</c>: a scarce resource the task uses, with its limit.</summary>
        public const string Resource = "Orchestrate.ResourceAttribute";

        /// <summary><c>[Sequence]</c>: the task runs the named tasks in order, then itself.</summary>
        public const string Sequence = "Orchestrate.SequenceAttribute";

        /// <summary><c>[LocalPre]</c>: a host task's local step run on this machine for each host, first.</summary>
        public const string LocalPre = "Orchestrate.LocalPreAttribute";

        /// <summary><c>[LocalPost]</c>: a host task's local step run on this machine for each host, last.</summary>
        public const string LocalPost = "Orchestrate.LocalPostAttribute";

        /// <summary><c>[SubSequenceOf]</c>: the task is a sub sequence of a host task, run after it on each of its hosts.</summary>
        public const string SubSequenceOf = "Orchestrate.SubSequenceOfAttribute";

        /// <summary><c>[ForEach]</c>: the items of a sub sequence on a host.</summary>
        public const string ForEach = "Orchestrate.ForEachAttribute";
    }
}
