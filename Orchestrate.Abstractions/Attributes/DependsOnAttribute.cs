namespace Orchestrate;

/// <summary>
/// The task runs after the named tasks succeeded (doit's <c>task_dep</c>). Name a task by its
/// method (<c>nameof(Compile)</c>), by its task name, or as <c>Type.Method</c>.
/// Ordering only: a dependency does not make the task out of date by itself.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class DependsOnAttribute : Attribute
{
    /// <summary>Declares the tasks this task runs after.</summary>
    public DependsOnAttribute(params string[] tasks) => Tasks = tasks;

    /// <summary>The referenced tasks.</summary>
    public string[] Tasks { get; }
}
