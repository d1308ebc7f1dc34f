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
    }
}
