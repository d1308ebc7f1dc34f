using Orchestrate.Cli;
using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.Reporting;
using Orchestrate.Scheduling;
using Orchestrate.UpToDate;

namespace Orchestrate.Hosting;

/// <summary>One run: takes the project's lock, opens its state store, runs the plan, and turns the
/// outcome into an exit code.</summary>
/// <remarks>
/// With <paramref name="waitHere"/> (the run was called by <see cref="Orchestrator.Run(string[])"/>, whose caller waits
/// for it on this thread), the run waits for its state, its scheduler and its parts' disposal instead of awaiting them,
/// so that neither it nor its callers suspend, and the machinery of a suspended await, which ReadyToRun keeps none of,
/// is not compiled at run time (~0.5 ms per kind of await, on every start). Otherwise it awaits: its caller gets its
/// task at once.
/// </remarks>
internal sealed class RunExecution(OrchestratorSettings settings, TaskGraph graph, TextWriter output, TextWriter error, RunSignals? signals = null, bool waitHere = false)
{
    /// <summary>
    /// Takes the project's lock and opens its state store, on another thread: a run starts this before it builds its
    /// graph, as neither needs the other (on a large project each takes a good part of a no-op run). The caller awaits
    /// the graph first, so a graph error is reported before a lock held by another run; a run that ends before it
    /// uses them gives them back with <see cref="AbandonAsync"/>.
    /// </summary>
    public static Task<(RunLock Lock, StateStore Store)> OpenStateAsync(string projectDirectory, bool wait, TextWriter error, CancellationToken cancellationToken)
    {
        // A thread of its own rather than the thread pool's: the pool's first worker took 7-8 ms to start here, more
        // than the graph of a large project takes to build.
        var opened = new TaskCompletionSource<(RunLock Lock, StateStore Store)>();
        var thread = new Thread(() =>
        {
            try
            {
                var runLock = RunLock.AcquireAsync(projectDirectory, wait, line => error.WriteLine(line), cancellationToken).GetAwaiter().GetResult();
                PhaseTrace.Mark("locked");
                try
                {
                    var store = StateStore.Open(projectDirectory);
                    PhaseTrace.Mark("store open");
                    opened.SetResult((runLock, store));
                }
                catch
                {
                    runLock.Dispose();
                    throw;
                }
            }
            catch (OperationCanceledException e)
            {
                opened.SetCanceled(e.CancellationToken);
                return;
            }
            catch (Exception e)
            {
                opened.SetException(e);
                return;
            }

            // The run's checks start a few milliseconds later (once the graph and the plan are made): this thread
            // serves as their second core, then runs tasks while it is free (see SpareThread).
            Execution.SpareThread.Offer(TimeSpan.FromSeconds(1));
        })
        {
            IsBackground = true,
            Name = "Orchestrate state",
        };
        thread.Start();
        return opened.Task;
    }

    /// <summary>Gives back what <see cref="OpenStateAsync"/> took, for a run that stopped before using it (its own error wins).</summary>
    public static async Task AbandonAsync(Task<(RunLock Lock, StateStore Store)> opening)
    {
        try
        {
            var (runLock, store) = await opening.ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            runLock.Dispose();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The run reports its own error; why the lock or store could not be had does not matter any more.
        }
    }

    public async Task<int> RunAsync(RunRequest request, Task<(RunLock Lock, StateStore Store)> opening, CancellationToken cancellationToken)
    {
        // What needs neither the lock nor the store is made while they are still being opened (a large store takes a
        // while to read); if that fails, they are given back.
        RunObservers observers;
        OrchestrateOptions configured;
        try
        {
            observers = RunObservers.Open(settings, graph, request, output);
            configured = RunDefaults.Read(request.ProjectDirectory);
        }
        catch
        {
            await AbandonAsync(opening).ConfigureAwait(false);
            throw;
        }

        PhaseTrace.Mark("observers");
        (RunLock, StateStore) opened;
        try
        {
            opened = waitHere ? opening.GetAwaiter().GetResult() : await opening.ConfigureAwait(false);
        }
        catch
        {
            await observers.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var (runLockTaken, store) = opened;
        using var runLock = runLockTaken;
        await using var storeDisposal = new WaitedDisposal(store, waitHere);
        await using var observing = new WaitedDisposal(observers, waitHere);
        if (store.DroppedBytes > 0)
        {
            await error.WriteLineAsync($"note: the state store's last record was cut short (an earlier run was killed while writing it); it was dropped, and its task will run again").ConfigureAwait(false);
        }

        var reporter = observers.Observer;
        var host = new LazyServices(settings, graph, request.ProjectDirectory, reporter);
        await using var hostDisposal = new WaitedDisposal(host, waitHere);
        var options = new SchedulerOptions
        {
            Jobs = request.Jobs ?? (configured.Jobs > 0 ? configured.Jobs : Environment.ProcessorCount),
            Forks = request.Forks ?? (configured.Forks > 0 ? configured.Forks : 50),
            KeepGoing = request.KeepGoing ?? configured.KeepGoing,
            Critical = request.Critical ?? configured.Critical,
            Timeout = request.Timeout,
            // The command line's limits win over configuration's, resource by resource.
            ResourceLimits = request.Resources.Count == 0 ? configured.Resources : configured.Resources
                .Where(r => !request.Resources.ContainsKey(r.Key))
                .Concat(request.Resources)
                .ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal),
        };
        // One connection per host and user, opened on first use, all closed when the run ends, whatever its outcome.
        var remoteNodes = request.Plan.Any(i => graph.Tasks[i].Host is not null);
        var persist = request.Persist ?? configured.Persist;
        var transport = remoteNodes ? new Remote.OpenSsh.OpenSshTransport(persist > 0 ? TimeSpan.FromSeconds(persist) : null) : null;
        if (transport is not null && await Remote.OpenSsh.OpenSshTransport.EndLeftoversAsync().ConfigureAwait(false) is var ended and > 0)
        {
            await error.WriteLineAsync($"note: ended what an earlier run left: {ended} SSH {(ended == 1 ? "connection" : "connections")} of a run that was killed; the hosts end their commands with them").ConfigureAwait(false);
        }

        await using var transportDisposal = new WaitedDisposal(transport, waitHere);
        var runner = new ProcessRunner();
        var remote = transport is null ? null : new Remote.RemoteNodeRunner(transport, request.HostOfNode, request.ProjectDirectory, runner, reporter);
        var executor = new TaskExecutor(
            graph,
            async token => (await host.GetAsync(token).ConfigureAwait(false)).Services,
            runner,
            reporter,
            request.ProjectDirectory,
            store,
            new ExecutionMode(request.Always, request.DryRun || request.PlanPath is not null),
            TimeProvider.System,
            remote);
        using var stopChecking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        executor.NestedOptions = options with { Timeout = null };
        // A large plan of plain file tasks is checked at once on every core; what is settled up to date does not go
        // through the scheduler's machinery. Other plans are checked ahead on a second core while the scheduler runs.
        var settled = executor.Settle(request.Plan, cancellationToken);
        if (settled is null || Array.IndexOf(settled, false) >= 0)
        {
            signals?.Arm(); // something will run, or be checked by rules that may call user code: Ctrl+C stops it
        }

        if (settled is null)
        {
            executor.CheckAhead(request.Plan, stopChecking.Token);
        }

        PhaseTrace.Mark("scheduler start");
        var scheduling = Scheduler.RunAsync(graph, request.Plan, executor.ExecuteAsync, options, reporter, cancellationToken, settled, waitHere);
        var outcome = waitHere ? scheduling.GetAwaiter().GetResult() : await scheduling.ConfigureAwait(false);
        var stopping = stopChecking.CancelAsync();
        if (waitHere)
        {
            stopping.GetAwaiter().GetResult();
        }
        else
        {
            await stopping.ConfigureAwait(false);
        }

        PhaseTrace.Mark("scheduler done");
        if (request.PlanPath is not null && outcome.Succeeded)
        {
            observers.Console.WriteLine($"plan written to {request.PlanPath}: nothing ran");
        }

        // A run cut by its own timeout or aborted by a critical task failed (1); 130 stays for Ctrl+C.
        return outcome.Cancelled && !outcome.TimedOut ? ExitCodes.Cancelled : outcome.Succeeded ? ExitCodes.Success : ExitCodes.TaskFailed;
    }
}

/// <summary>
/// Disposes a run's part when the run ends, waiting for it on a thread that waits for the run anyway
/// (<paramref name="waitHere"/>, see <see cref="RunExecution"/>) rather than awaiting it.
/// </summary>
internal readonly struct WaitedDisposal(IAsyncDisposable? part, bool waitHere) : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        if (part is null)
        {
            return default;
        }

        var disposing = part.DisposeAsync();
        if (disposing.IsCompleted || !waitHere)
        {
            return disposing;
        }

        disposing.AsTask().GetAwaiter().GetResult();
        return default;
    }
}

/// <summary>What the command line asked a run to do.</summary>
internal sealed record RunRequest(int[] Plan, string ProjectDirectory, bool Color)
{
    public int? Jobs { get; init; }

    public bool? KeepGoing { get; init; }

    public bool Always { get; init; }

    public bool DryRun { get; init; }

    public bool Wait { get; init; }

    public int? Forks { get; init; }

    /// <summary>Seconds to keep connections open after the run (<c>--persist</c>).</summary>
    public int? Persist { get; init; }

    /// <summary>The whole run's time limit (<c>--timeout</c>).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The run's default for tasks that do not say whether they are critical (<c>--critical</c>).</summary>
    public bool? Critical { get; init; }

    /// <summary>Resource limits from <c>--resource name=N</c>.</summary>
    public IReadOnlyDictionary<string, int> Resources { get; init; } = new Dictionary<string, int>();

    /// <summary><c>stream</c> or <c>grouped</c> (<c>--output</c>).</summary>
    public string Output { get; init; } = "stream";

    /// <summary>JSON-lines event file (<c>--events</c>).</summary>
    public string? EventsPath { get; init; }

    /// <summary>JSON report file (<c>--report</c>).</summary>
    public string? ReportPath { get; init; }

    /// <summary>No live view (<c>--no-live</c>).</summary>
    public bool NoLive { get; init; }

    /// <summary>HTML plan page (<c>--plan</c>): write it and run nothing.</summary>
    public string? PlanPath { get; init; }

    public IReadOnlyDictionary<string, Remote.HostSpec> HostOfNode { get; init; } = new Dictionary<string, Remote.HostSpec>();
}
