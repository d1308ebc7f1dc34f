namespace Orchestrate.Tests.Conformance;

/// <summary>What a task's action writes into each of its targets.</summary>
public enum TargetContent
{
    /// <summary>The task's name, then the content of each file dep (globs expanded, sorted): changes when a dep changes.</summary>
    Concat,

    /// <summary>The task's name only: the same bytes whatever its file deps hold.</summary>
    Fixed,

    /// <summary>Nothing is written: the declared targets stay missing.</summary>
    None,
}

/// <summary>An up-to-date rule, as both tools spell it (doit's <c>uptodate</c> entries).</summary>
public abstract record Rule
{
    /// <summary>doit <c>run_once</c>.</summary>
    public static Rule RunOnce { get; } = new RunOnceRule();

    /// <summary>doit <c>config_changed(params[key])</c>.</summary>
    public static Rule Config(string key) => new ConfigRule(key);

    /// <summary>doit <c>result_dep(task)</c>.</summary>
    public static Rule ResultOf(string task) => new ResultRule(task);

    /// <summary>doit <c>timeout(timedelta(seconds=...))</c>.</summary>
    public static Rule Expires(double seconds) => new ExpiresRule(seconds);

    /// <summary>doit <c>check_timestamp_unchanged(path)</c> (mtime).</summary>
    public static Rule Timestamp(string path) => new TimestampRule(path);

    /// <summary>A callable returning <c>params[key] == "true"</c>.</summary>
    public static Rule Custom(string key) => new CustomRule(key);

    /// <summary>A three-valued callable: <c>params[key]</c> "true" gives True, "false" False, anything else None (no opinion).</summary>
    public static Rule Opinion(string key) => new OpinionRule(key);

    public sealed record OpinionRule(string Key) : Rule;

    public sealed record RunOnceRule : Rule;

    public sealed record ConfigRule(string Key) : Rule;

    public sealed record ResultRule(string Task) : Rule;

    public sealed record ExpiresRule(double Seconds) : Rule;

    public sealed record TimestampRule(string Path) : Rule;

    public sealed record CustomRule(string Key) : Rule;
}

/// <summary>One task of a scenario. Its action (in both tools) appends its name to <c>executed.log</c>, fails if
/// <see cref="FailKey"/> is "true" in params.json, writes its targets, and returns <c>params[ResultKey]</c>.</summary>
public sealed record TaskSpec(string Name)
{
    public string[] TaskDeps { get; init; } = [];

    public string[] FileDeps { get; init; } = [];

    public string[] Targets { get; init; } = [];

    public Rule[] Rules { get; init; } = [];

    public TargetContent Content { get; init; } = TargetContent.Concat;

    /// <summary>The action returns this parameter's value (for result_dep).</summary>
    public string? ResultKey { get; init; }

    /// <summary>The action fails (after logging) when this parameter is "true".</summary>
    public string? FailKey { get; init; }

    /// <summary>The action appends a line to this file dep while it runs, when <c>params["mutate"]</c> is "true".</summary>
    public string? MutatesDuringRun { get; init; }

    /// <summary>The task is a group (doit's <c>yield</c>): one sub-task per file matching this pattern (<c>dir/*.ext</c>),
    /// named after the file's name, with the file as its file dep and <see cref="SubTaskTarget"/> as its target.</summary>
    public string? SubTasksFrom { get; init; }

    /// <summary>Each sub-task returns its file's content as its result (what result_dep on the group or on it compares).</summary>
    public bool SubTasksReturnContent { get; init; }

    /// <summary>A sub-task's target: <c>{stem}</c> is its file's name without the extension.</summary>
    public string SubTaskTarget { get; init; } = "{stem}.out";

    /// <summary>doit's <c>create_after(executed=...)</c>.</summary>
    public string? CreateAfter { get; init; }

    /// <summary>doit's <c>create_after(target_regex=...)</c>.</summary>
    public string? TargetRegex { get; init; }

    /// <summary>doit's <c>calc_dep</c>: the tasks computing this one's deps.</summary>
    public string[] CalcDeps { get; init; } = [];

    /// <summary>The task computes deps (for <c>calc_dep</c>): it returns the lines of this file as file deps.</summary>
    public string? ComputesDepsFrom { get; init; }

    /// <summary>A sub-task of this group for one file.</summary>
    public TaskSpec SubTask(string file)
    {
        var name = file[(file.LastIndexOf('/') + 1)..];
        var stem = name.Contains('.') ? name[..name.LastIndexOf('.')] : name;
        return new TaskSpec($"{Name}:{name}") { FileDeps = [file], Targets = [SubTaskTarget.Replace("{stem}", stem, StringComparison.Ordinal)] };
    }
}

/// <summary>One step of a scenario, applied to both tools' directories.</summary>
public abstract record Step
{
    /// <summary>Writes a file (new content, new mtime).</summary>
    public sealed record Write(string Path, string Content) : Step
    {
        public override string ToString() => $"write {Path}: {System.Text.Json.JsonSerializer.Serialize(Content)}";
    }

    /// <summary>Appends to a file (new mtime).</summary>
    public sealed record Append(string Path, string Text) : Step
    {
        public override string ToString() => $"append to {Path}: {System.Text.Json.JsonSerializer.Serialize(Text)}";
    }

    /// <summary>Changes a file's mtime only, not its content.</summary>
    public sealed record Touch(string Path) : Step;

    public sealed record Delete(string Path) : Step;

    /// <summary>Rewrites one entry of params.json.</summary>
    public sealed record SetParam(string Key, string Value) : Step;

    public sealed record Wait(int Milliseconds) : Step;

    /// <summary>Runs both tools; both must run exactly <paramref name="Expect"/> and succeed (or not) alike.</summary>
    /// <summary>With <paramref name="InOrder"/>, Orchestrate runs with one job (doit runs one task at a time) and the
    /// order in which tasks ran counts too.</summary>
    public sealed record Run(string[] Tasks, string[] Expect, bool Success = true, bool Always = false, bool KeepGoing = false, bool InOrder = false) : Step
    {
        public override string ToString() =>
            $"run {string.Join(' ', Tasks)}{(Always ? " --always" : "")}{(KeepGoing ? " --keep-going" : "")}{(InOrder ? " with one job" : "")}, expecting [{string.Join(' ', Expect)}]{(InOrder ? " in that order" : "")}{(Success ? "" : " and a failure")}";
    }

    public sealed record Forget(string Task) : Step;

    /// <summary><c>clean [options] [task]</c> (an empty task: no name, the default tasks).</summary>
    public sealed record Clean(string Task, string[] Options) : Step
    {
        public override string ToString() => $"clean {string.Join(' ', Options)} {Task}".Replace("  ", " ", StringComparison.Ordinal).Trim();
    }

    public sealed record Ignore(string Task) : Step;
}

/// <summary>A task graph, its initial files and parameters, and steps: built fluently, run by <see cref="ScenarioRunner"/>.</summary>
public sealed class Scenario(string name)
{
    public string Name { get; } = name;

    public List<TaskSpec> Tasks { get; } = [];

    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

    public List<Step> Steps { get; } = [];

    public Scenario File(string path, string content)
    {
        Files[path] = content;
        return this;
    }

    public Scenario Param(string key, string value)
    {
        Params[key] = value;
        return this;
    }

    public Scenario Task(TaskSpec task)
    {
        Tasks.Add(task);
        return this;
    }

    /// <summary>A task with file deps and targets (comma- or space-free lists as arrays).</summary>
    public Scenario Task(string name, string[]? fileDeps = null, string[]? targets = null, string[]? taskDeps = null, Rule[]? rules = null,
        TargetContent content = TargetContent.Concat, string? result = null, string? failWhen = null) =>
        Task(new TaskSpec(name)
        {
            FileDeps = fileDeps ?? [],
            Targets = targets ?? [],
            TaskDeps = taskDeps ?? [],
            Rules = rules ?? [],
            Content = content,
            ResultKey = result,
            FailKey = failWhen,
        });

    /// <summary><c>run tasks</c> (space-separated; empty: all), expecting exactly the tasks in <paramref name="expect"/> to run.</summary>
    public Scenario Run(string tasks, string expect, bool success = true) => Add(new Step.Run(Split(tasks), Split(expect), success));

    public Scenario RunAlways(string tasks, string expect) => Add(new Step.Run(Split(tasks), Split(expect), Always: true));

    public Scenario RunKeepGoing(string tasks, string expect, bool success) => Add(new Step.Run(Split(tasks), Split(expect), success, KeepGoing: true));

    /// <summary>A run with one job, expecting exactly these tasks to run in this order.</summary>
    public Scenario RunInOrder(string tasks, string expect, bool success = true) => Add(new Step.Run(Split(tasks), Split(expect), success, InOrder: true));

    public Scenario Write(string path, string content) => Add(new Step.Write(path, content));

    public Scenario Append(string path, string text) => Add(new Step.Append(path, text));

    public Scenario Touch(string path) => Add(new Step.Touch(path));

    public Scenario Delete(string path) => Add(new Step.Delete(path));

    public Scenario Set(string key, string value) => Add(new Step.SetParam(key, value));

    public Scenario Wait(int milliseconds) => Add(new Step.Wait(milliseconds));

    public Scenario Forget(string task) => Add(new Step.Forget(task));

    public Scenario Clean(string task, params string[] options) => Add(new Step.Clean(task, options));

    public Scenario Ignore(string task) => Add(new Step.Ignore(task));

    public override string ToString() => Name;

    private Scenario Add(Step step)
    {
        Steps.Add(step);
        return this;
    }

    private static string[] Split(string list) => list.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
