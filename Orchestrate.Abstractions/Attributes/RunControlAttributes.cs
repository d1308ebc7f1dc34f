namespace Orchestrate;

/// <summary>
/// What the task's failure does to the run (asynciojobs' <c>critical</c>). <c>[Critical]</c>: a failure aborts
/// the run at once, cancelling the running tasks and starting nothing new. <c>[Critical(false)]</c>: a failure is
/// recorded and reported, but tolerated: its dependents run and the run goes on and may succeed (Ansible's
/// <c>ignore_errors</c>). Without the attribute, doit's rule: the failure blocks the task's dependents and, without
/// <c>--keep-going</c>, stops new starts; with <c>--critical</c> on the command line (or <c>Orchestrate:Critical</c>
/// in configuration) such tasks are critical.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CriticalAttribute : Attribute
{
    /// <summary>Marks the task critical (<c>true</c>) or explicitly not critical (<c>false</c>).</summary>
    public CriticalAttribute(bool critical = true) => Critical = critical;

    /// <summary>Whether the task is critical.</summary>
    public bool Critical { get; }
}

/// <summary>
/// A task that never ends by itself (a log tail, a monitor, a message-bus reader): the run does not wait for
/// it, and cancels it once every other task is done (asynciojobs' <c>forever</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ForeverAttribute : Attribute
{
}

/// <summary>Cancels the task (its processes and remote commands included) when it runs longer than this.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TimeoutAttribute : Attribute
{
    /// <summary>Declares the task's timeout, in seconds.</summary>
    public TimeoutAttribute(double seconds) => Seconds = seconds;

    /// <summary>The timeout, in seconds.</summary>
    public double Seconds { get; }
}

/// <summary>
/// The task uses a scarce resource (a database, a licence, a slow link): at most <see cref="Limit"/> tasks that
/// name it run at once. Tasks naming the same resource with different limits get the smallest; the command line
/// (<c>--resource name=N</c>) and configuration (<c>Orchestrate:Resources:name</c>) override it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class ResourceAttribute : Attribute
{
    /// <summary>Declares a resource and its limit.</summary>
    public ResourceAttribute(string name, int limit = 1)
    {
        Name = name;
        Limit = limit;
    }

    /// <summary>The resource's name.</summary>
    public string Name { get; }

    /// <summary>How many tasks naming it may run at once.</summary>
    public int Limit { get; }
}

/// <summary>
/// Makes the task a sequence (asynciojobs' <c>Sequence</c>): the named tasks run in this order, each after the
/// one before it, and this task's own method runs after the last. The task's own <see cref="DependsOnAttribute"/>
/// dependencies apply to the first element. An element may itself be a sequence task: it then stands for its
/// whole sequence, so sequences nest.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SequenceAttribute : Attribute
{
    /// <summary>Declares the elements, in order (use <c>nameof</c>).</summary>
    public SequenceAttribute(params string[] tasks) => Tasks = tasks;

    /// <summary>The elements, in order.</summary>
    public IReadOnlyList<string> Tasks { get; }
}
