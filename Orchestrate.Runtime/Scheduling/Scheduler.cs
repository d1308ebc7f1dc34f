using System.Diagnostics;
using System.Threading.Channels;
using Orchestrate.Planning;
using Orchestrate.Reporting;

namespace Orchestrate.Scheduling;

/// <summary>
/// Runs a plan (tasks in topological order) with bounded parallelism: a task starts once every task it
/// depends on is done; of the ready tasks, the first in the plan starts first. One loop owns all state; tasks report completion through a channel, so no locks are needed.
/// </summary>
/// <remarks>
/// <para>What a failure does depends on the task (asynciojobs' <c>critical</c>). A critical task
/// (<c>[Critical]</c>, or any task that does not say when <see cref="SchedulerOptions.Critical"/> is set) aborts the
/// run: running tasks are cancelled through their token (their processes killed) and end
/// <see cref="TaskRunStatus.Cancelled"/>, nothing new starts (<see cref="TaskRunStatus.NotRun"/>), and
/// <see cref="RunOutcome.AbortedBy"/> names it. A task that does not say follows doit: its failure blocks its
/// dependents and, without keep-going, stops new starts while running tasks finish. A <c>[Critical(false)]</c>
/// task's failure is <see cref="TaskRunStatus.Tolerated"/>: its dependents run and the run may succeed. A host
/// node's failure stays on its host (the other hosts go on) unless the task is critical; an unreachable host never
/// aborts the run.</para>
/// <para>A forever task (<see cref="TaskDescriptor.IsForever"/>) starts when its dependencies are done, takes no job
/// slot, and its dependents wait only for it to have started, not ended. Once every other task of the plan is
/// finished (done, failed, blocked...), the forever tasks still running are cancelled and end
/// <see cref="TaskRunStatus.Stopped"/>, which counts as done. A plan made only of forever tasks runs until they end,
/// the run's timeout, or cancellation.</para>
/// <para>A task's own timeout (<see cref="TaskDescriptor.Timeout"/>) cancels its token (killing its processes) and
/// ends it <see cref="TaskRunStatus.TimedOut"/>, a failure under the rules above. The run's timeout
/// (<see cref="SchedulerOptions.Timeout"/>) cuts every running task (<see cref="TaskRunStatus.TimedOut"/>) and starts
/// nothing more (<see cref="RunOutcome.TimedOut"/>). A task that ignores its token is given up on after
/// <see cref="SchedulerOptions.CancellationGrace"/>.</para>
/// <para>Named resources (<see cref="TaskDescriptor.Resources"/>) bound how many tasks using them run at once; a ready
/// task whose resource is full waits while other ready tasks start.</para>
/// </remarks>
public static class Scheduler
{
    private const byte LocalPool = 0;
    private const byte RemotePool = 1;
    private const byte ForeverPool = 2;

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
    /// (succeeded, up to date...), and throws on failure. Tasks of the plan marked in <paramref name="settled"/> were
    /// found up to date beforehand, with all they depend on: they end up to date without being executed.</summary>
    /// <remarks>With <paramref name="waitHere"/> (the caller waits for the run on this thread anyway), the loop waits
    /// for completions instead of awaiting them, so it never leaves the thread and has ended when this returns.</remarks>
    public static async Task<RunOutcome> RunAsync(
        TaskGraph graph,
        int[] plan,
        Func<int, CancellationToken, Task<TaskRunStatus>> execute,
        SchedulerOptions options,
        IRunObserver observer,
        CancellationToken cancellationToken,
        bool[]? settled = null,
        bool waitHere = false)
    {
        var runStarted = Stopwatch.GetTimestamp();
        var count = plan.Length;
        var local = new int[graph.Tasks.Count];
        // A loop, not Array.Fill: its vectorized fill is compiled at run time on every start (ReadyToRun cannot
        // fix the vector size ahead).
        for (var i = 0; i < local.Length; i++)
        {
            local[i] = -1;
        }

        for (var k = 0; k < count; k++)
        {
            local[plan[k]] = k;
        }

        var pending = new int[count];
        var status = new TaskRunStatus[count];
        var durations = new TimeSpan[count];
        var errors = new Exception?[count];
        var blockedBy = new string?[count];
        // When each task started (a Stopwatch timestamp); 0: not started.
        var startedAt = new long[count];
        // Three pools: local tasks share the jobs, host nodes share the forks (hosts in flight), forever tasks take no slot.
        // Ready tasks start in plan order (doit's: declaration order, each task after what it depends on), whatever
        // order they became ready in: with one job, a run runs its tasks as doit runs them.
        var ready = new PriorityQueue<int, int>();
        var readyRemote = new PriorityQueue<int, int>();
        var readyForever = new PriorityQueue<int, int>();
        var pool = new byte[count];
        var nonForever = 0;
        // Run control that costs something per task is set up only when some task of the plan uses it.
        CancellationTokenSource?[]? own = null;
        int[]?[]? resources = null;
        for (var k = 0; k < count; k++)
        {
            var task = graph.Tasks[plan[k]];
            pool[k] = task.IsForever ? ForeverPool : task.Host is null ? LocalPool : RemotePool;
            if (task.IsForever || task.Timeout is not null)
            {
                own ??= new CancellationTokenSource?[count];
            }

            if (task.Resources.Count > 0)
            {
                resources ??= new int[]?[count];
            }

            nonForever += task.IsForever ? 0 : 1;
            if (settled?[k] == true)
            {
                status[k] = TaskRunStatus.UpToDate;
                continue;
            }

            pending[k] = graph.Dependencies[plan[k]].Length;
            if (settled is not null)
            {
                foreach (var dependency in graph.Dependencies[plan[k]])
                {
                    // A settled dependency is done already (a task depending only on settled ones is settled too).
                    pending[k] -= local[dependency.Task] is var d && d >= 0 && settled[d] ? 1 : 0;
                }
            }

            if (pending[k] == 0)
            {
                Enqueue(k);
            }
        }

        int[] limits = [], inUse = [];
        if (resources is not null)
        {
            (limits, inUse) = ResourceTable(graph, plan, options, resources);
        }

        var waiting = new List<int>();

        observer.RunStarting(Array.ConvertAll(plan, i => graph.Tasks[i].Name));
        // The outcome of every task, for the run's: a settled task's is made once, when it is reported.
        var outcomes = new TaskOutcome[count];
        if (settled is not null)
        {
            for (var k = 0; k < count; k++)
            {
                if (settled[k])
                {
                    observer.TaskFinished(outcomes[k] = Outcome(k));
                }
            }
        }
        using var runTimer = options.Timeout is { } runLimit ? new CancellationTokenSource(TimeLimits.ForTimer(runLimit)) : null;
        using var run = runTimer is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runTimer.Token);
        var token = run.Token;
        var completions = Channel.CreateUnbounded<Completion>(new UnboundedChannelOptions { SingleReader = true });
        // On a thread that waits for the run anyway, the loop waits on this count of completions written rather than
        // on the channel's reader: a reader's wait is ended through the thread pool (its continuation is queued there
        // even when nothing awaits), which would start the pool for a run of one task.
        using var arrived = waitHere ? new SemaphoreSlim(0) : null;
        var jobs = Math.Max(1, options.Jobs);
        var forks = Math.Max(1, options.Forks);
        var running = 0;
        var runningLocal = 0;
        var runningRemote = 0;
        var runningForever = 0;
        var stopping = false;
        var cut = Cut.None;
        var runCut = false;
        string? abortedBy = null;
        var foreverStopped = false;
        long graceDeadline = 0;

        void Enqueue(int k) =>
            (pool[k] switch
            {
                LocalPool => ready,
                RemotePool => readyRemote,
                _ => readyForever,
            }).Enqueue(k, k);

        void StartReady()
        {
            if (waiting.Count > 0)
            {
                StartWaiting();
            }

            while (readyForever.TryDequeue(out var next, out _))
            {
                TryStart(next);
            }

            while (runningLocal < jobs && ready.TryDequeue(out var next, out _))
            {
                TryStart(next);
            }

            while (runningRemote < forks && readyRemote.TryDequeue(out var next, out _))
            {
                TryStart(next);
            }
        }

        bool HasRoom(int k) => pool[k] switch
        {
            LocalPool => runningLocal < jobs,
            RemotePool => runningRemote < forks,
            _ => true,
        };

        // Tasks that waited for a resource go first, in the order they became ready; one whose pool is full, or
        // whose resource is still taken, keeps its place while the others start.
        void StartWaiting()
        {
            var kept = 0;
            for (var w = 0; w < waiting.Count; w++)
            {
                var k = waiting[w];
                if (status[k] != TaskRunStatus.Pending)
                {
                    continue;
                }

                if (HasRoom(k) && Acquire(resources![k]!))
                {
                    Start(k);
                }
                else
                {
                    waiting[kept++] = k;
                }
            }

            waiting.RemoveRange(kept, waiting.Count - kept);
        }

        void TryStart(int k)
        {
            // A task made ready by a forever task's start may have been blocked since by that task's failure.
            if (status[k] != TaskRunStatus.Pending)
            {
                return;
            }

            if (resources?[k] is { } needs && !Acquire(needs))
            {
                waiting.Add(k);
                return;
            }

            Start(k);
        }

        bool Acquire(int[] needs)
        {
            foreach (var r in needs)
            {
                if (inUse[r] >= limits[r])
                {
                    return false;
                }
            }

            foreach (var r in needs)
            {
                inUse[r]++;
            }

            return true;
        }

        void Start(int k)
        {
            running++;
            switch (pool[k])
            {
                case LocalPool:
                    runningLocal++;
                    break;
                case RemotePool:
                    runningRemote++;
                    break;
                default:
                    runningForever++;
                    break;
            }

            startedAt[k] = Stopwatch.GetTimestamp();
            var task = graph.Tasks[plan[k]];
            var taskToken = token;
            if (own is not null && (task.IsForever || task.Timeout is not null))
            {
                var source = CancellationTokenSource.CreateLinkedTokenSource(token);
                if (task.Timeout is { } limit)
                {
                    source.CancelAfter(TimeLimits.ForTimer(limit));
                }

                own[k] = source;
                taskToken = source.Token;
            }

            if (task.IsForever)
            {
                // Its dependents wait only for it to have started.
                Release(k);
            }

            _ = RunOne(k, taskToken, task.Timeout);
        }

        async Task RunOne(int k, CancellationToken taskToken, TimeSpan? limit)
        {
            Task<TaskRunStatus>? work = null;
            Completion completion;
            try
            {
                work = execute(plan[k], taskToken);
                // A task with a timeout that ignores its token is given up on a grace period past its timeout.
                var ended = limit is { } l
                    ? await work.WaitAsync(l + options.CancellationGrace, CancellationToken.None).ConfigureAwait(false)
                    : await work.ConfigureAwait(false);
                completion = new Completion(k, ended, null, false);
            }
            catch (TimeoutException) when (work is { IsCompleted: false })
            {
                _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                completion = new Completion(k, TaskRunStatus.Cancelled, null, true);
            }
            catch (Exception e) when (taskToken.IsCancellationRequested)
            {
                completion = new Completion(k, TaskRunStatus.Cancelled, e, true);
            }
            catch (Exception e)
            {
                completion = new Completion(k, TaskRunStatus.Failed, e, false);
            }

            completion.Duration = Stopwatch.GetElapsedTime(startedAt[k]);
            completions.Writer.TryWrite(completion);
            arrived?.Release();
        }

        void Finished(int k)
        {
            running--;
            switch (pool[k])
            {
                case LocalPool:
                    runningLocal--;
                    break;
                case RemotePool:
                    runningRemote--;
                    break;
                default:
                    runningForever--;
                    break;
            }

            if (resources?[k] is { } held)
            {
                foreach (var r in held)
                {
                    inUse[r]--;
                }
            }

            if (own?[k] is { } source)
            {
                source.Dispose();
                own[k] = null;
            }
        }

        void Complete(in Completion completion)
        {
            var k = completion.Task;
            if (status[k] != TaskRunStatus.Pending || startedAt[k] == 0)
            {
                // Given up on after the grace period; it ended since.
                return;
            }

            Finished(k);
            var index = plan[k];
            var task = graph.Tasks[index];
            durations[k] = completion.Duration;
            errors[k] = completion.Error;
            var ended = completion.Status;
            if (completion.WasCut)
            {
                (ended, errors[k]) = CutStatus(k, completion.Error);
            }
            else if (task.IsForever && foreverStopped)
            {
                ended = TaskRunStatus.Stopped;
            }

            var failed = ended is TaskRunStatus.Failed || (ended is TaskRunStatus.TimedOut && cut == Cut.None);
            if (failed && task.Critical == false)
            {
                ended = TaskRunStatus.Tolerated;
                failed = false;
            }

            status[k] = ended;
            observer.TaskFinished(Outcome(k));
            if (failed)
            {
                Fail(k, task);
            }
            else if (ended.IsDone())
            {
                if (!task.IsForever)
                {
                    Release(k);
                }
            }
            else
            {
                stopping = true;
            }
        }

        // How a task cut short ended: by its own timeout, the forever stop, the run's timeout, or an abort.
        (TaskRunStatus, Exception?) CutStatus(int k, Exception? error)
        {
            var task = graph.Tasks[plan[k]];
            if (task.IsForever && foreverStopped && cut == Cut.None)
            {
                return (TaskRunStatus.Stopped, null);
            }

            return (cut, task.Timeout) switch
            {
                (Cut.None, { } limit) => (TaskRunStatus.TimedOut, new TaskCutException($"timed out after {Seconds(limit)}", error)),
                (Cut.RunTimeout, _) => (TaskRunStatus.TimedOut, new TaskCutException($"cut by the run's timeout ({Seconds(options.Timeout ?? TimeSpan.Zero)})", error)),
                (Cut.Abort, _) => (TaskRunStatus.Cancelled, new TaskCutException($"cancelled: critical task '{abortedBy}' failed", error)),
                _ => (TaskRunStatus.Cancelled, error),
            };
        }

        void Fail(int k, TaskDescriptor task)
        {
            Block(k, task.Name);
            var critical = task.Critical ?? options.Critical;
            if (critical && !(task.Host is not null && Remote.RemoteErrors.IsUnreachable(errors[k])))
            {
                // Aborts at once: the running tasks are told through the run's token and end as cancelled.
                abortedBy = task.Name;
                cut = Cut.Abort;
                stopping = true;
                _ = run.CancelAsync();
                return;
            }

            // A host's failure stays on that host: the other hosts go on.
            stopping |= !options.KeepGoing && task.Host is null;
        }

        void Release(int k)
        {
            foreach (var dependent in graph.Dependents[plan[k]])
            {
                var d = local[dependent];
                if (d >= 0 && --pending[d] == 0 && status[d] == TaskRunStatus.Pending)
                {
                    Enqueue(d);
                }
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
                    // A dependent already running (after a forever task's start) ends by itself.
                    if (d >= 0 && status[d] == TaskRunStatus.Pending && startedAt[d] == 0)
                    {
                        status[d] = TaskRunStatus.Blocked;
                        blockedBy[d] = failedName;
                        observer.TaskFinished(Outcome(d));
                        stack.Push(dependent);
                    }
                }
            }
        }

        // After the grace period: the tasks cut short that did not end are given up on (not waited for).
        void GiveUp()
        {
            for (var k = 0; k < count; k++)
            {
                if (status[k] == TaskRunStatus.Pending && startedAt[k] != 0 && (token.IsCancellationRequested || pool[k] == ForeverPool))
                {
                    Finished(k);
                    durations[k] = Stopwatch.GetElapsedTime(startedAt[k]);
                    (status[k], errors[k]) = CutStatus(k, null);
                    observer.TaskFinished(Outcome(k));
                }
            }
        }

        TaskOutcome Outcome(int k) =>
            new(graph.Tasks[plan[k]].Name, status[k], durations[k], errors[k], blockedBy[k], graph.Tasks[plan[k]].Host)
            {
                // A task that turned out up to date (or set aside, or a join) did not start running.
                Started = startedAt[k] == 0 || status[k] is TaskRunStatus.UpToDate or TaskRunStatus.Ignored or TaskRunStatus.Joined or TaskRunStatus.WouldRun
                    ? null
                    : Stopwatch.GetElapsedTime(runStarted, startedAt[k]),
            };

        while (true)
        {
            if (token.IsCancellationRequested && !runCut)
            {
                // Ctrl+C, the run's timeout, or a critical task's abort: nothing more starts, and the running
                // tasks (told through the same token) have a grace period to end.
                runCut = true;
                if (cut == Cut.None)
                {
                    cut = cancellationToken.IsCancellationRequested ? Cut.User : Cut.RunTimeout;
                }

                stopping = true;
                graceDeadline = Deadline(options.CancellationGrace);
            }

            if (!stopping)
            {
                StartReady();
            }

            if (running == 0)
            {
                break;
            }

            if (!foreverStopped && running == runningForever && nonForever > 0)
            {
                // Every other task is finished: stop the forever tasks.
                foreverStopped = true;
                for (var k = 0; k < count; k++)
                {
                    if (pool[k] == ForeverPool && startedAt[k] != 0 && status[k] == TaskRunStatus.Pending)
                    {
                        _ = own![k]!.CancelAsync();
                    }
                }

                graceDeadline = graceDeadline == 0 ? Deadline(options.CancellationGrace) : graceDeadline;
            }
            else if (foreverStopped && runningForever == 0 && !runCut)
            {
                graceDeadline = 0;
            }

            if (!completions.Reader.TryRead(out var done))
            {
                if (graceDeadline == 0)
                {
                    try
                    {
                        if (arrived is not null)
                        {
                            // Waited for rather than awaited (see RunExecution); read at the top of the loop.
                            arrived.Wait(token);
                            continue;
                        }

                        done = await completions.Reader.ReadAsync(token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The run was cancelled or timed out: noted at the top of the loop.
                        continue;
                    }
                }
                else
                {
                    var left = TimeSpan.FromSeconds(Math.Max(0, (double)(graceDeadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency));
                    using var grace = runCut ? new CancellationTokenSource() : CancellationTokenSource.CreateLinkedTokenSource(token);
                    grace.CancelAfter(left);
                    try
                    {
                        if (arrived is not null)
                        {
                            arrived.Wait(grace.Token);
                            continue;
                        }

                        done = await completions.Reader.ReadAsync(grace.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        if (!token.IsCancellationRequested || runCut)
                        {
                            GiveUp();
                            graceDeadline = runCut ? graceDeadline : 0;
                        }

                        continue;
                    }
                }
            }

            Complete(done);
        }

        var cancelled = cut == Cut.User;
        for (var k = 0; k < count; k++)
        {
            if (status[k] == TaskRunStatus.Pending)
            {
                // Never started: the run stopped (a failure, an abort, its timeout) or was cancelled first.
                status[k] = cancelled ? TaskRunStatus.Cancelled : TaskRunStatus.NotRun;
                observer.TaskFinished(Outcome(k));
            }

            outcomes[k] ??= Outcome(k);
        }

        var outcome = new RunOutcome(outcomes, cancelled, Stopwatch.GetElapsedTime(runStarted))
        {
            TimedOut = cut == Cut.RunTimeout,
            AbortedBy = abortedBy,
        };
        observer.RunFinished(outcome);
        return outcome;
    }

    // Resource ids, in order of first use in the plan; each limit from the options, else the smallest any task
    // of the graph declares.
    private static (int[] Limits, int[] InUse) ResourceTable(TaskGraph graph, int[] plan, SchedulerOptions options, int[]?[] resources)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < plan.Length; k++)
        {
            var specs = graph.Tasks[plan[k]].Resources;
            if (specs.Count == 0)
            {
                continue;
            }

            var needs = new List<int>(specs.Count);
            foreach (var spec in specs)
            {
                if (!ids.TryGetValue(spec.Name, out var id))
                {
                    id = ids.Count;
                    ids.Add(spec.Name, id);
                }

                if (!needs.Contains(id))
                {
                    needs.Add(id);
                }
            }

            resources[k] = [.. needs];
        }

        var limits = new int[ids.Count];
        for (var i = 0; i < limits.Length; i++)
        {
            limits[i] = int.MaxValue;
        }

        foreach (var task in graph.Tasks)
        {
            foreach (var spec in task.Resources)
            {
                if (ids.TryGetValue(spec.Name, out var id))
                {
                    limits[id] = Math.Min(limits[id], spec.Limit);
                }
            }
        }

        foreach (var (name, id) in ids)
        {
            if (options.ResourceLimits.TryGetValue(name, out var limit))
            {
                limits[id] = limit;
            }

            // A limit below one would never let a task start.
            limits[id] = Math.Max(1, limits[id]);
        }

        return (limits, new int[ids.Count]);
    }

    private static long Deadline(TimeSpan after) => Stopwatch.GetTimestamp() + (long)(after.TotalSeconds * Stopwatch.Frequency);

    private static string Seconds(TimeSpan duration) => $"{duration.TotalSeconds:0.###}s";

    // What cut the run short, if anything.
    private enum Cut
    {
        None,
        User,
        RunTimeout,
        Abort,
    }

    private struct Completion(int task, TaskRunStatus status, Exception? error, bool wasCut)
    {
        public readonly int Task = task;
        public readonly TaskRunStatus Status = status;
        public readonly Exception? Error = error;
        // The task's token was cancelled when it ended (its own timeout, the forever stop, the run's cut).
        public readonly bool WasCut = wasCut;
        public TimeSpan Duration;
    }
}
