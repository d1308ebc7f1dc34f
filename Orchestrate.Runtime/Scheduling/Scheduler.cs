using System.Diagnostics;
using System.Threading.Channels;
using Orchestrate.Planning;
using Orchestrate.Reporting;

namespace Orchestrate.Scheduling;

/// <summary>
/// Runs a plan (tasks in topological order) with bounded parallelism: a task starts once every task it
/// depends on succeeded. A failure blocks its dependents and, without keep-going, stops new starts.
/// One loop owns all state; tasks report completion through a channel, so no locks are needed.
/// </summary>
public static class Scheduler
{
    /// <summary>Runs the plan. <paramref name="execute"/> runs one task (by graph index) and throws on failure.</summary>
    public static Task<RunOutcome> RunAsync(
        TaskGraph graph,
        int[] plan,
        Func<int, CancellationToken, Task> execute,
        SchedulerOptions options,
        IRunObserver observer,
        CancellationToken cancellationToken) =>
        RunAsync(graph, plan, async (i, token) =>
        {
            await execute(i, token).ConfigureAwait(false);
            return TaskRunStatus.Succeeded;
        }, options, observer, cancellationToken);

    /// <summary>Runs the plan. <paramref name="execute"/> runs one task (by graph index), says how it ended
    /// (succeeded, up to date...), and throws on failure.</summary>
    public static async Task<RunOutcome> RunAsync(
        TaskGraph graph,
        int[] plan,
        Func<int, CancellationToken, Task<TaskRunStatus>> execute,
        SchedulerOptions options,
        IRunObserver observer,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var count = plan.Length;
        var local = new int[graph.Tasks.Count];
        Array.Fill(local, -1);
        for (var k = 0; k < count; k++)
        {
            local[plan[k]] = k;
        }

        var pending = new int[count];
        var status = new TaskRunStatus[count];
        var durations = new TimeSpan[count];
        var errors = new Exception?[count];
        var blockedBy = new string?[count];
        // Two pools: local tasks share the jobs, host nodes share the forks (hosts in flight).
        var ready = new Queue<int>();
        var readyRemote = new Queue<int>();
        var remote = new bool[count];
        for (var k = 0; k < count; k++)
        {
            remote[k] = graph.Tasks[plan[k]].Host is not null;
            pending[k] = graph.Dependencies[plan[k]].Length;
            if (pending[k] == 0)
            {
                (remote[k] ? readyRemote : ready).Enqueue(k);
            }
        }

        observer.RunStarting(Array.ConvertAll(plan, i => graph.Tasks[i].Name));
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = run.Token;
        var completions = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        var jobs = Math.Max(1, options.Jobs);
        var forks = Math.Max(1, options.Forks);
        var running = 0;
        var runningRemote = 0;
        var stopping = false;

        async Task RunOne(int k)
        {
            var begin = Stopwatch.GetTimestamp();
            try
            {
                status[k] = await execute(plan[k], token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                status[k] = TaskRunStatus.Cancelled;
            }
            catch (Exception e)
            {
                status[k] = TaskRunStatus.Failed;
                errors[k] = e;
            }

            durations[k] = Stopwatch.GetElapsedTime(begin);
            completions.Writer.TryWrite(k);
        }

        void Complete(int k)
        {
            running--;
            if (remote[k])
            {
                runningRemote--;
            }

            var index = plan[k];
            var name = graph.Tasks[index].Name;
            observer.TaskFinished(new TaskOutcome(name, status[k], durations[k], errors[k], Host: graph.Tasks[index].Host));
            switch (status[k])
            {
                case TaskRunStatus.Succeeded or TaskRunStatus.UpToDate or TaskRunStatus.Ignored or TaskRunStatus.WouldRun or TaskRunStatus.Joined:
                    foreach (var dependent in graph.Dependents[index])
                    {
                        var d = local[dependent];
                        if (d >= 0 && --pending[d] == 0 && status[d] == TaskRunStatus.Pending)
                        {
                            (remote[d] ? readyRemote : ready).Enqueue(d);
                        }
                    }

                    break;
                case TaskRunStatus.Failed:
                    Block(k, name);
                    // A host's failure stays on that host: the other hosts go on.
                    stopping |= !options.KeepGoing && graph.Tasks[index].Host is null;
                    break;
                default:
                    stopping = true;
                    break;
            }
        }

        void Block(int failed, string failedName)
        {
            var stack = new Stack<int>();
            stack.Push(plan[failed]);
            while (stack.Count > 0)
            {
                foreach (var dependent in graph.Dependents[stack.Pop()])
                {
                    var d = local[dependent];
                    if (d >= 0 && status[d] == TaskRunStatus.Pending)
                    {
                        status[d] = TaskRunStatus.Blocked;
                        blockedBy[d] = failedName;
                        observer.TaskFinished(new TaskOutcome(graph.Tasks[dependent].Name, TaskRunStatus.Blocked, TimeSpan.Zero, null, failedName, graph.Tasks[dependent].Host));
                        stack.Push(dependent);
                    }
                }
            }
        }

        var abandoned = false;
        while (true)
        {
            stopping |= token.IsCancellationRequested;
            while (!stopping && running - runningRemote < jobs && ready.TryDequeue(out var next))
            {
                running++;
                _ = RunOne(next);
            }

            while (!stopping && runningRemote < forks && readyRemote.TryDequeue(out var next))
            {
                running++;
                runningRemote++;
                _ = RunOne(next);
            }

            if (running == 0)
            {
                break;
            }

            int done;
            if (!completions.Reader.TryRead(out done))
            {
                try
                {
                    done = await completions.Reader.ReadAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Cancelled: running tasks were told through the same token; give them a grace period.
                    stopping = true;
                    using var grace = new CancellationTokenSource(options.CancellationGrace);
                    try
                    {
                        done = await completions.Reader.ReadAsync(grace.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        abandoned = true;
                        break;
                    }
                }
            }

            Complete(done);
        }

        var cancelled = cancellationToken.IsCancellationRequested;
        var outcomes = new TaskOutcome[count];
        for (var k = 0; k < count; k++)
        {
            var name = graph.Tasks[plan[k]].Name;
            var host = graph.Tasks[plan[k]].Host;
            if (status[k] == TaskRunStatus.Pending)
            {
                // Never started, or (after the grace period) still running and given up on.
                status[k] = cancelled || abandoned ? TaskRunStatus.Cancelled : TaskRunStatus.NotRun;
                observer.TaskFinished(new TaskOutcome(name, status[k], durations[k], Host: host));
            }

            outcomes[k] = new TaskOutcome(name, status[k], durations[k], errors[k], blockedBy[k], host);
        }

        var outcome = new RunOutcome(outcomes, cancelled, Stopwatch.GetElapsedTime(started));
        observer.RunFinished(outcome);
        return outcome;
    }
}
