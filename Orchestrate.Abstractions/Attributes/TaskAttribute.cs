namespace Orchestrate;

/// <summary>
/// Marks a method as a task of the build. The method's body is the task's action.
/// Its name on the command line is <see cref="Name"/>, or the method name in kebab case
/// (<c>BuildDocs</c> becomes <c>build-docs</c>).
/// </summary>
/// <remarks>
/// Supported parameters: <see cref="TaskContext"/>, <see cref="System.Threading.CancellationToken"/>,
/// and any class or interface registered in dependency injection.
/// Supported return types: <c>void</c>, <see cref="System.Threading.Tasks.Task"/>,
/// <see cref="System.Threading.Tasks.ValueTask"/>, their generic forms, or a value.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TaskAttribute : Attribute
{
    /// <summary>A task named after its method.</summary>
    public TaskAttribute() { }

    /// <summary>A task with an explicit name.</summary>
    public TaskAttribute(string name) => Name = name;

    /// <summary>The name used on the command line and in <see cref="DependsOnAttribute"/>.</summary>
    public string? Name { get; set; }

    /// <summary>One line shown by <c>list</c>. Defaults to the method's XML doc summary.</summary>
    public string? Doc { get; set; }

    /// <summary>Run this task when no task is named on the command line.</summary>
    public bool Default { get; set; }
}
