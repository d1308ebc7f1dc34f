namespace Orchestrate;

/// <summary>
/// Files the task creates (doit's <c>targets</c>), relative to the project directory.
/// Two tasks may not declare the same target.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class TargetsAttribute : Attribute
{
    /// <summary>Declares files the task creates.</summary>
    public TargetsAttribute(params string[] paths) => Paths = paths;

    /// <summary>The declared paths.</summary>
    public string[] Paths { get; }
}
