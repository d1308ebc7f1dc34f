namespace Orchestrate;

/// <summary>
/// The named task computes more dependencies of this one at run time (doit's <c>calc_dep</c>): it returns a
/// <see cref="CalculatedDeps"/>, whose file deps join this task's file deps (and so its up-to-date check) and whose
/// task deps run before it. This task runs after the named one.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class CalcDepAttribute : Attribute
{
    /// <summary>Names the task that computes the dependencies (use <c>nameof</c>).</summary>
    public CalcDepAttribute(string task) => Task = task;

    /// <summary>The task that computes the dependencies.</summary>
    public string Task { get; }
}
