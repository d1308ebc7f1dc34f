namespace Orchestrate;

/// <summary>
/// The task is created only after the named task ran (doit's <c>create_after</c>): it may look at
/// what that task produced. It also runs after it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CreateAfterAttribute : Attribute
{
    /// <summary>Declares the task that must run before this one is created.</summary>
    public CreateAfterAttribute(string task) => Task = task;

    /// <summary>The referenced task.</summary>
    public string Task { get; }

    /// <summary>A regular expression of the targets this task will create, so that they can be
    /// requested on the command line before the task exists.</summary>
    public string? TargetRegex { get; set; }
}
