namespace Orchestrate;

/// <summary>
/// Files the task reads (doit's <c>file_dep</c>), relative to the project directory.
/// A file dep that is another task's target makes that task a dependency.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class FileDepAttribute : Attribute
{
    /// <summary>Declares files the task reads.</summary>
    public FileDepAttribute(params string[] paths) => Paths = paths;

    /// <summary>The declared paths.</summary>
    public string[] Paths { get; }
}
