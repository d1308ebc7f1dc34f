using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;

namespace Orchestrate.Execution;

/// <summary>
/// Runs a group created after another task (doit's <c>create_after</c>): once that task is done, the group's method is
/// called, so it sees what that task produced; its sub-tasks become a graph of their own, run by a nested scheduler
/// through the same executor machinery (state store, up-to-date checks, events, process runner), so each is checked,
/// reported and recorded like any task. The group fails when a sub-task fails.
/// <para>A sub-task may also name a task of the run (in its deps, or as the producer of one of its file deps): that task
/// is made sure to be done first, running it now if nothing did yet (<see cref="DynamicTasks.EnsureDoneAsync"/>).</para>
/// </summary>
internal sealed class DelayedGroupRunner(TaskGraph graph, TaskExecutor executor, DynamicTasks dynamic)
{
    public async Task<TaskRunStatus> RunAsync(int index, CancellationToken cancellationToken)
    {
        var group = graph.Tasks[index];
        CurrentTask.Name = group.Name;
        if (executor.Store is not null && executor.IsIgnored(index, group))
        {
            // Set aside with `ignore`: its method is not called, and what depends on it is skipped too.
            return TaskRunStatus.Ignored;
        }

        var result = await executor.InvokeAsync(group, cancellationToken).ConfigureAwait(false);
        var yielded = await SubTaskExpansion.SubTasksOfAsync(group, result, cancellationToken).ConfigureAwait(false);
        List<TaskDescriptor> subTasks;
        try
        {
            subTasks = SubTaskExpansion.Describe(group, yielded);
        }
        catch (GraphException e)
        {
            throw new DynamicTaskException(e.Message);
        }

        var own = new HashSet<string>(subTasks.Select(s => s.Name), StringComparer.Ordinal);
        var outer = new List<int>();
        var outerOf = new List<int>[subTasks.Count];
        for (var k = 0; k < subTasks.Count; k++)
        {
            outerOf[k] = [];
            subTasks[k] = WithoutOuterDeps(group, subTasks[k], own, outerOf[k]);
            outer.AddRange(outerOf[k]);
        }

        TaskGraph subGraph;
        try
        {
            subGraph = TaskGraph.Build(subTasks);
        }
        catch (GraphException e)
        {
            throw new DynamicTaskException($"the sub-tasks of '{group.Name}' do not form a valid graph: {e.Message}");
        }

        var plan = yielded is RequestedSubTasks requested ? Requested(group, subGraph, requested) : subGraph.TopologicalOrder;
        var observer = new NestedObserver(executor.Observer, group.Name, _ => true);
        (executor.Observer as GrowingRunObserver)?.SubTasksCreated(
            group,
            [.. graph.Dependencies[index].Select(d => graph.Tasks[d.Task].Name)],
            [.. plan.Select(k => new GrownTask(subGraph.Tasks[k], [
                .. subGraph.Dependencies[k].Select(d => subGraph.Tasks[d.Task].Name),
                .. outerOf[k].Distinct().Select(o => graph.Tasks[o].Name)]))]);
        try
        {
            await dynamic.EnsureDoneAsync(outer.Distinct().ToList(), index, "a dependency of its sub-tasks", cancellationToken).ConfigureAwait(false);
        }
        catch (DependencyFailedException e)
        {
            // The sub-tasks exist, but what they need failed: they are blocked by it, as the group is.
            foreach (var k in plan)
            {
                observer.TaskFinished(new TaskOutcome(subGraph.Tasks[k].Name, TaskRunStatus.Blocked, TimeSpan.Zero, BlockedBy: e.Task));
            }

            throw;
        }

        var outcome = await Scheduler.RunAsync(
            subGraph,
            plan,
            executor.ForGraph(subGraph).ExecuteAsync,
            executor.NestedOptions,
            observer,
            cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (!outcome.Succeeded)
        {
            var failed = outcome.Tasks.Where(t => t.Status == TaskRunStatus.Failed).ToList();
            if (failed.Count == 0)
            {
                throw new DynamicTaskException($"sub-tasks of '{group.Name}' did not run");
            }

            // Reported where it failed, with its cause; the group is blocked by it.
            throw new DependencyFailedException(
                failed[0].Name,
                $"sub-task {failed[0].Name} failed: {FailureText.Summary(failed[0].Error)}" + (failed.Count > 1 ? $" (and {failed.Count - 1} more)" : ""));
        }

        // Only when every sub-task was made to run: a run of some of them (named on the command line) leaves the others as they were.
        if (yielded is not RequestedSubTasks)
        {
            await executor.RecordGroupResultAsync(group.Name, subTasks.Select(t => t.Name)).ConfigureAwait(false);
        }

        return TaskRunStatus.Joined;
    }

    // References to tasks outside the group are not edges of the nested graph: they are tasks of the run, made sure to
    // be done before the sub-tasks start. A target clashing with a task of the run is refused, as in any graph.
    private TaskDescriptor WithoutOuterDeps(TaskDescriptor group, TaskDescriptor subTask, HashSet<string> own, List<int> outer)
    {
        foreach (var target in subTask.Targets)
        {
            if (graph.TryFindTarget(target, out var other))
            {
                throw new DynamicTaskException(
                    $"sub-task '{subTask.Name}' declares the target '{target}', which task '{graph.Tasks[other].Name}' declares too: each file may be the target of one task only");
            }
        }

        foreach (var fileDep in subTask.FileDeps)
        {
            if (!Glob.IsPattern(fileDep) && graph.TryFindTarget(fileDep, out var producer))
            {
                outer.Add(producer);
            }
        }

        if (subTask.DependsOn.All(own.Contains))
        {
            return subTask;
        }

        var inner = new List<string>();
        foreach (var name in subTask.DependsOn)
        {
            if (own.Contains(name))
            {
                inner.Add(name);
            }
            else if (graph.TryFind(name, out var dependency))
            {
                outer.Add(dependency);
            }
            else
            {
                throw new DynamicTaskException(
                    $"sub-task '{subTask.Name}' of '{group.Name}' depends on '{name}', which is not a task: name another sub-task as '{group.Name}:name', or a task of the program");
            }
        }

        return SubTaskExpansion.Copy(subTask, dependsOn: inner);
    }

    // Only the sub-tasks named on the command line or making the targets named there (and what they need), as doit does.
    private static int[] Requested(TaskDescriptor group, TaskGraph subGraph, RequestedSubTasks requested)
    {
        var roots = new List<int>();
        foreach (var target in requested.Targets)
        {
            if (!subGraph.TryFindTarget(target, out var maker))
            {
                throw new DynamicTaskException(
                    $"'{target}' was requested on the command line as a target of '{group.Name}', but none of its sub-tasks makes it: check the name, or run '{group.Name}' to see what it makes");
            }

            roots.Add(maker);
        }

        foreach (var name in requested.Names)
        {
            if (!subGraph.TryFind(name, out var subTask))
            {
                throw new DynamicTaskException(
                    $"'{name}' was requested on the command line, but '{group.Name}' made no sub-task of that name: check the name, or run '{group.Name}' to see its sub-tasks");
            }

            roots.Add(subTask);
        }

        return subGraph.Closure(roots);
    }
}
