using System.Text.RegularExpressions;
using Orchestrate.Execution;
using Orchestrate.Reporting;

namespace Orchestrate.Planning;

/// <summary>
/// Sub-tasks (doit's <c>yield</c> of dicts with a <c>name</c>): a group's method returns <see cref="SubTask"/>s, each
/// becomes the task <c>group:name</c>, and the group's own node runs after all of them and runs nothing itself.
/// A group without <see cref="CreateAfterAttribute"/> is expanded here, when the graph is loaded, so that
/// <c>group:name</c> can be named on the command line and <c>list</c> shows it; a group created after another task
/// is expanded when it runs (<see cref="DelayedGroupRunner"/>).
/// </summary>
internal static class SubTaskExpansion
{
    /// <summary>An invoker that runs nothing.</summary>
    internal static readonly TaskInvoker Nothing = static _ => ValueTask.FromResult<object?>(null);

    /// <summary>Expands the groups that are not created after another task; the list itself when there are none.</summary>
    /// <exception cref="GraphException">A group's method failed, takes services, or yields a bad or duplicate name.</exception>
    public static ValueTask<IReadOnlyList<TaskDescriptor>> ExpandAsync(IReadOnlyList<TaskDescriptor> tasks, string projectDirectory, CancellationToken cancellationToken) =>
        tasks.Any(t => t.YieldsSubTasks && t.CreateAfter is null)
            ? new ValueTask<IReadOnlyList<TaskDescriptor>>(ExpandGroupsAsync(tasks, projectDirectory, cancellationToken))
            : ValueTask.FromResult(tasks);

    private static async Task<IReadOnlyList<TaskDescriptor>> ExpandGroupsAsync(IReadOnlyList<TaskDescriptor> tasks, string projectDirectory, CancellationToken cancellationToken)
    {

        var expanded = new List<TaskDescriptor>(tasks.Count);
        var runner = new ProcessRunner();
        foreach (var task in tasks)
        {
            if (!task.YieldsSubTasks || task.CreateAfter is not null)
            {
                expanded.Add(task);
                continue;
            }

            if (task.ServiceType is not null || task.TakesServices)
            {
                throw new GraphException(
                    $"task '{task.Name}' yields its sub-tasks when the graph is loaded, before the run's services exist, but it takes services: " +
                    "make it a static method without service parameters, or add [CreateAfter(...)] so that it is called during the run, with the services");
            }

            var subTasks = Describe(task, await YieldAsync(task, projectDirectory, runner, cancellationToken).ConfigureAwait(false));
            expanded.AddRange(subTasks);
            expanded.Add(GroupNode(task, subTasks.Select(s => s.Name)));
        }

        return expanded;
    }

    /// <summary>One descriptor per sub-task, named <c>group:name</c>.</summary>
    /// <exception cref="GraphException">An empty or malformed name, or the same name twice.</exception>
    public static List<TaskDescriptor> Describe(TaskDescriptor group, IEnumerable<SubTask> subTasks)
    {
        var result = new List<TaskDescriptor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var subTask in subTasks)
        {
            if (subTask is null || string.IsNullOrWhiteSpace(subTask.Name) || subTask.Name.Any(c => char.IsWhiteSpace(c) || c == ':'))
            {
                throw new GraphException(
                    $"task '{group.Name}' yields a sub-task named '{subTask?.Name}'{Where(group)}: a sub-task's name must be non-empty, without spaces or ':'");
            }

            if (subTask.Action is not null && subTask.Compute is not null)
            {
                throw new GraphException(
                    $"task '{group.Name}' yields sub-task '{subTask.Name}' with both Action and Compute{Where(group)}: set one of them (Compute when the sub-task returns a result)");
            }

            if (!names.Add(subTask.Name))
            {
                throw new GraphException(
                    $"task '{group.Name}' yields two sub-tasks named '{subTask.Name}'{Where(group)}: give each sub-task of a group its own name");
            }

            result.Add(new TaskDescriptor
            {
                Name = $"{group.Name}:{subTask.Name}",
                Method = group.Method,
                Source = group.Source,
                Doc = subTask.Doc,
                FileDeps = subTask.FileDeps,
                Targets = subTask.Targets,
                DependsOn = subTask.DependsOn,
                UpToDate = subTask.UpToDate,
                Invoke = Invoker(subTask),
            });
        }

        return result;
    }

    /// <summary>The <see cref="SubTask"/>s a group's invoker returned: a sequence, or an asynchronous one (an
    /// <c>async</c> iterator), read to its end with the group's cancellation.</summary>
    /// <exception cref="InvalidOperationException">It returned something else.</exception>
    public static async ValueTask<IEnumerable<SubTask>> SubTasksOfAsync(TaskDescriptor group, object? result, CancellationToken cancellationToken)
    {
        switch (result)
        {
            case null:
                return [];
            case IEnumerable<SubTask> subTasks:
                return subTasks;
            case IAsyncEnumerable<SubTask> stream:
                var read = new List<SubTask>();
                await foreach (var subTask in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    read.Add(subTask);
                }

                return read;
            default:
                throw new InvalidOperationException(
                    $"task '{group.Name}' yields sub-tasks, but its method returned a {result.GetType().Name}: return IEnumerable<SubTask> or IAsyncEnumerable<SubTask>");
        }
    }

    /// <summary>The tasks created after another that declare a target regex, compiled (anchored at the start, as
    /// doit's <c>re.match</c>).</summary>
    /// <exception cref="GraphException">A regex does not parse.</exception>
    public static TargetPattern[] TargetRegexes(IReadOnlyList<TaskDescriptor> tasks)
    {
        List<TargetPattern>? regexes = null;
        for (var i = 0; i < tasks.Count; i++)
        {
            if (tasks[i].CreateAfterTargetRegex is not { Length: > 0 } pattern)
            {
                continue;
            }

            try
            {
                (regexes ??= []).Add(TargetPattern.Compile(i, pattern));
            }
            catch (ArgumentException e)
            {
                throw new GraphException(
                    $"task '{tasks[i].Name}' declares the target regex '{pattern}'{Where(tasks[i])}, which is not a regular expression ({e.Message}): fix TargetRegex");
            }
        }

        return regexes is null ? [] : [.. regexes];
    }

    /// <summary>The first task whose target regex matches the path, or null.</summary>
    public static int? MatchTargetRegex(TargetPattern[] regexes, string path)
    {
        var normalized = PathNames.Normalize(path);
        foreach (var pattern in regexes)
        {
            if (pattern.Regex.IsMatch(normalized))
            {
                return pattern.Task;
            }
        }

        return null;
    }

    /// <summary>
    /// doit's <c>doit out/c.out</c> where no task declares <c>out/c.out</c> but a delayed group's target regex
    /// matches it: the group runs only the sub-tasks that make the requested targets (and what they need). The graph
    /// is rebuilt with such groups' invokers marking their sub-tasks; the same graph when no target is requested so.
    /// </summary>
    /// <para>The same for <c>doit proc:b</c> where <c>proc</c> is created after another task: the group runs only the
    /// sub-task of that name (and what it needs).</para>
    public static TaskGraph ForRequestedTargets(TaskGraph graph, IReadOnlyList<string> requested)
    {
        Dictionary<int, (List<string> Targets, List<string> Names)>? byGroup = null;
        var wholeGroups = new HashSet<int>();
        (List<string> Targets, List<string> Names) Requests(int group)
        {
            byGroup ??= [];
            if (!byGroup.TryGetValue(group, out var requests))
            {
                byGroup[group] = requests = ([], []);
            }

            return requests;
        }

        foreach (var name in requested)
        {
            if (graph.TryFind(name, out var index) || graph.TryFindTarget(name, out index))
            {
                wholeGroups.Add(index);
            }
            else if (graph.TryFindTargetRegex(name, out index))
            {
                Requests(index).Targets.Add(PathNames.Normalize(name));
            }
            else if (graph.TryFindDelayedSubTask(name, out index))
            {
                Requests(index).Names.Add(name);
            }
        }

        if (byGroup is null || byGroup.Keys.All(wholeGroups.Contains))
        {
            return graph;
        }

        var tasks = graph.Tasks.ToArray();
        foreach (var (index, (targets, names)) in byGroup)
        {
            if (!wholeGroups.Contains(index))
            {
                var invoke = tasks[index].Invoke;
                var group = tasks[index];
                tasks[index] = Copy(group, invoke: async invocation =>
                    new RequestedSubTasks(
                        await SubTasksOfAsync(group, await invoke(invocation).ConfigureAwait(false), invocation.Context.CancellationToken).ConfigureAwait(false),
                        targets,
                        names));
            }
        }

        return TaskGraph.Build(tasks);
    }

    /// <summary>A copy of a descriptor with some fields replaced.</summary>
    public static TaskDescriptor Copy(TaskDescriptor task, IReadOnlyList<string>? fileDeps = null, IReadOnlyList<string>? dependsOn = null, TaskInvoker? invoke = null, bool withoutTargetRegex = false) => new()
    {
        Name = task.Name,
        Method = task.Method,
        Doc = task.Doc,
        DependsOn = dependsOn ?? task.DependsOn,
        FileDeps = fileDeps ?? task.FileDeps,
        Targets = task.Targets,
        CreateAfter = task.CreateAfter,
        CreateAfterTargetRegex = withoutTargetRegex ? null : task.CreateAfterTargetRegex,
        YieldsSubTasks = task.YieldsSubTasks,
        CalcDeps = task.CalcDeps,
        UpToDate = task.UpToDate,
        Clean = task.Clean,
        Hosts = task.Hosts,
        IsBarrier = task.IsBarrier,
        RemoteSteps = task.RemoteSteps,
        Ships = task.Ships,
        Fetches = task.Fetches,
        RemoteTargets = task.RemoteTargets,
        LocalPre = task.LocalPre,
        LocalPost = task.LocalPost,
        SubSequenceOf = task.SubSequenceOf,
        ForEach = task.ForEach,
        Phase = task.Phase,
        Item = task.Item,
        Host = task.Host,
        IsHostGroup = task.IsHostGroup,
        Critical = task.Critical,
        IsForever = task.IsForever,
        Timeout = task.Timeout,
        Resources = task.Resources,
        Sequence = task.Sequence,
        IsDefault = task.IsDefault,
        ServiceType = task.ServiceType,
        TakesServices = task.TakesServices,
        Invoke = invoke ?? task.Invoke,
        Source = task.Source,
    };

    // The group's own node only gathers its sub-tasks, as a host task's node gathers its hosts: it runs nothing
    // (its method was called already) and is not counted as a task of the run.
    private static TaskDescriptor GroupNode(TaskDescriptor group, IEnumerable<string> subTasks) => new()
    {
        Name = group.Name,
        Method = group.Method,
        Source = group.Source,
        Doc = group.Doc,
        IsDefault = group.IsDefault,
        DependsOn = [.. group.DependsOn, .. subTasks],
        YieldsSubTasks = true,
        IsHostGroup = true,
        Invoke = Nothing,
    };

    private static Task<List<SubTask>> YieldAsync(TaskDescriptor group, string projectDirectory, ProcessRunner runner, CancellationToken cancellationToken) =>
        YieldAsync(group, projectDirectory, runner, NoServices.Instance, cancellationToken);

    /// <summary>Calls a group's method outside a run (its output goes nowhere) and returns its sub-tasks.</summary>
    /// <exception cref="GraphException">The method failed, or returned something else than sub-tasks.</exception>
    public static async Task<List<SubTask>> YieldAsync(TaskDescriptor group, string projectDirectory, ProcessRunner runner, IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            var context = new LocalTaskContext(group, projectDirectory, runner, NullRunObserver.Instance, cancellationToken);
            var result = await group.Invoke(new TaskInvocation(services, context)).ConfigureAwait(false);
            return [.. await SubTasksOfAsync(group, result, cancellationToken).ConfigureAwait(false)];
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not GraphException)
        {
            throw new GraphException($"task '{group.Name}' failed while yielding its sub-tasks{Where(group)}: {FailureText.Summary(e)}");
        }
    }

    private static TaskInvoker Invoker(SubTask subTask) => async invocation =>
    {
        object? result = null;
        if (subTask.Action is { } action)
        {
            await action(invocation.Context).ConfigureAwait(false);
        }
        else if (subTask.Compute is { } compute)
        {
            result = await compute(invocation.Context).ConfigureAwait(false);
        }

        if (subTask.Command is { } command)
        {
            await invocation.Context.Shell(command).ConfigureAwait(false);
        }

        return result;
    };

    private static string Where(TaskDescriptor task) => task.Source is null ? "" : $" ({task.Source})";

    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>A delayed group's sub-tasks when only some of them (by target or by name) were requested on the command line.</summary>
internal sealed class RequestedSubTasks(IEnumerable<SubTask> subTasks, IReadOnlyList<string> targets, IReadOnlyList<string> names) : IEnumerable<SubTask>
{
    /// <summary>The requested targets, normalized.</summary>
    public IReadOnlyList<string> Targets { get; } = targets;

    /// <summary>The requested sub-tasks' full names (<c>group:sub</c>).</summary>
    public IReadOnlyList<string> Names { get; } = names;

    public IEnumerator<SubTask> GetEnumerator() => subTasks.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A delayed group's target regex. A class of its own, so that a graph without one never loads the regular
/// expression library (an array of tuples holding a <see cref="Regex"/> would, at start-up).</summary>
internal sealed class TargetPattern(int task, Regex regex)
{
    /// <summary>Anchored at the start, as doit's <c>re.match</c>.</summary>
    /// <exception cref="ArgumentException">Not a regular expression.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static TargetPattern Compile(int task, string pattern) => new(task, new Regex($"\\A(?:{pattern})", RegexOptions.CultureInvariant));

    public int Task { get; } = task;

    public Regex Regex { get; } = regex;
}
