namespace Orchestrate.Planning;

/// <summary>Why one task runs after another.</summary>
public enum DependencyKind
{
    /// <summary>Declared with <see cref="DependsOnAttribute"/>.</summary>
    Explicit,

    /// <summary>A file dep of the task is a target of the other task.</summary>
    FileDep,

    /// <summary>Declared with <see cref="CreateAfterAttribute"/>.</summary>
    CreateAfter,

    /// <summary>Declared with <see cref="ResultDepAttribute"/>: runs after it, and is out of date when its result changes.</summary>
    ResultDep,

    /// <summary>Declared with <see cref="CalcDepAttribute"/>: the other task computes this one's deps at run time.</summary>
    CalcDep,

    /// <summary>An order given by a <see cref="SequenceAttribute"/>: the next element after the one before it, the
    /// sequence task after its last element, the first element after the sequence task's own dependencies.</summary>
    Sequence,
}

/// <summary>An edge of the graph: the task depends on <paramref name="Task"/>.</summary>
/// <param name="Task">Index of the task depended on.</param>
/// <param name="Kind">Why.</param>
/// <param name="Path">For a file-dep edge, the file.</param>
public readonly record struct Dependency(int Task, DependencyKind Kind, string? Path);
