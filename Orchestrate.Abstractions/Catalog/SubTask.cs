namespace Orchestrate;

/// <summary>
/// A sub-task a task method yields (doit's <c>yield</c> of a dict with a <c>name</c>). A method marked
/// <see cref="TaskAttribute"/> that returns <c>IEnumerable&lt;SubTask&gt;</c> is a group: each sub-task becomes the task
/// <c>group:name</c>, and the group's own name runs them all. The method is called when the graph is loaded, or, with
/// <see cref="CreateAfterAttribute"/>, once the named task ran (so it may look at what that task produced).
/// </summary>
/// <param name="Name">The sub-task's name within its group (<c>group:Name</c> on the command line).</param>
public sealed record SubTask(string Name)
{
    /// <summary>What the sub-task does, in C#. A sub-task without an action or a command only groups its dependencies.</summary>
    public Func<TaskContext, ValueTask>? Action { get; init; }

    /// <summary>What the sub-task does, in C#, returning its result: stored as JSON, as a task method's return value,
    /// and compared by <see cref="ResultDepAttribute"/> on this sub-task or on its group (whose result is the results of
    /// all its sub-tasks, as doit's <c>result_dep</c> on a group). Set this or <see cref="Action"/>, not both.</summary>
    public Func<TaskContext, ValueTask<object?>>? Compute { get; init; }

    /// <summary>A command line run on this machine (after <see cref="Action"/>, if both are set).</summary>
    public string? Command { get; init; }

    /// <summary>One line of documentation.</summary>
    public string? Doc { get; init; }

    /// <summary>File deps (paths or globs, relative to the project directory).</summary>
    public IReadOnlyList<string> FileDeps { get; init; } = [];

    /// <summary>Targets.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Tasks this one runs after: other sub-tasks of the group by their full name (<c>group:name</c>) or any task.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Up-to-date rules besides file deps and targets.</summary>
    public IReadOnlyList<UpToDateRule> UpToDate { get; init; } = [];
}

/// <summary>
/// What a <see cref="CalcDepAttribute"/> task returns: file deps and task deps computed at run time (doit's
/// <c>calc_dep</c>). They are added to the dependent task's own before its up-to-date check.
/// </summary>
public sealed record CalculatedDeps
{
    /// <summary>More file deps.</summary>
    public IReadOnlyList<string> FileDeps { get; init; } = [];

    /// <summary>More tasks to run first.</summary>
    public IReadOnlyList<string> TaskDeps { get; init; } = [];
}
