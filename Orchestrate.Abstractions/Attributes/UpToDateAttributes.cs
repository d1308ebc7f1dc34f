namespace Orchestrate;

/// <summary>The task runs once: after its first success it stays up to date until <c>forget</c>
/// (doit's <c>run_once</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RunOnceAttribute : Attribute;

/// <summary>
/// The task is out of date when the value computed by the named method changed since its last
/// success (doit's <c>config_changed</c>). The method takes no parameters (or services), lives in the
/// task's class (or is named <c>Type.Method</c>), and returns a string, a dictionary or any value
/// that serializes to JSON.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class ConfigChangedAttribute : Attribute
{
    /// <summary>Declares the method that computes the configuration.</summary>
    public ConfigChangedAttribute(string method) => Method = method;

    /// <summary>The method computing the configuration.</summary>
    public string Method { get; }
}

/// <summary>
/// The task is out of date when the value returned by the named task changed since this task's last
/// success (doit's <c>result_dep</c>). Also makes the task run after it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class ResultDepAttribute : Attribute
{
    /// <summary>Declares the task whose result this task depends on.</summary>
    public ResultDepAttribute(string task) => Task = task;

    /// <summary>The task whose result matters.</summary>
    public string Task { get; }
}

/// <summary>
/// The task's success expires: it is out of date once this much time has passed since it last
/// succeeded (doit's <c>timeout</c> uptodate rule; named so that it is not mistaken for a limit on
/// how long the task may run).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ExpiresAfterAttribute : Attribute
{
    /// <summary>Days.</summary>
    public int Days { get; set; }

    /// <summary>Hours.</summary>
    public int Hours { get; set; }

    /// <summary>Minutes.</summary>
    public int Minutes { get; set; }

    /// <summary>Seconds.</summary>
    public int Seconds { get; set; }
}

/// <summary>Which timestamp of a file <see cref="TimestampUnchangedAttribute"/> compares.</summary>
public enum TimestampKind
{
    /// <summary>Last modification (mtime).</summary>
    Modified,

    /// <summary>Last access (atime).</summary>
    Accessed,

    /// <summary>Last status change (ctime).</summary>
    Changed,
}

/// <summary>
/// The task is out of date when a timestamp of this path changed since its last success (doit's
/// <c>check_timestamp_unchanged</c>): for directories and other things whose content is not a file dep.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class TimestampUnchangedAttribute : Attribute
{
    /// <summary>Declares the path to watch.</summary>
    public TimestampUnchangedAttribute(string path) => Path = path;

    /// <summary>The path, relative to the project directory.</summary>
    public string Path { get; }

    /// <summary>Which timestamp to compare. Default: modification time.</summary>
    public TimestampKind Kind { get; set; } = TimestampKind.Modified;
}

/// <summary>
/// A custom up-to-date rule: the named method says whether the task is up to date (doit's callable
/// <c>uptodate</c>). It returns <c>bool</c>, <c>Task&lt;bool&gt;</c> or <c>ValueTask&lt;bool&gt;</c> and may
/// take <see cref="UpToDateContext"/>, <see cref="System.Threading.CancellationToken"/> and services.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class UpToDateIfAttribute : Attribute
{
    /// <summary>Declares the predicate method.</summary>
    public UpToDateIfAttribute(string method) => Method = method;

    /// <summary>The predicate method.</summary>
    public string Method { get; }
}

/// <summary>
/// What <c>clean</c> does for this task instead of deleting its targets: the named method, which
/// takes the same parameters a task may take (doit's <c>clean</c> actions).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CleanAttribute : Attribute
{
    /// <summary>Declares the clean method.</summary>
    public CleanAttribute(string method) => Method = method;

    /// <summary>The clean method.</summary>
    public string Method { get; }
}
