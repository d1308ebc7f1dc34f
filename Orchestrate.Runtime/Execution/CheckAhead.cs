using Orchestrate.Planning;
using Orchestrate.UpToDate;

namespace Orchestrate.Execution;

/// <summary>
/// Checks plain file tasks ahead of the scheduler on another core, from the end of the plan backwards while the
/// scheduler's thread checks from the front, so that a large run where most tasks are up to date uses both cores
/// for its stats and lookups. A decision taken ahead is used only when no task the task depends on has run since
/// (it may have changed the task's file deps); otherwise the task is checked again when its turn comes. Taking a
/// check early is one of the orders a parallel run allows anyway: independent tasks are checked in any order.
/// </summary>
internal sealed class CheckAhead
{
    private const int Free = 0;
    private const int Checking = 1;
    private const int TakenByScheduler = 2;
    private const int Ready = 3;

    // Below this many eligible tasks a second thread costs more than it saves.
    private const int MinimumTasks = 512;

    private readonly TaskGraph _graph;
    private readonly UpToDateChecker _checker;
    private readonly int[] _state;
    private readonly UpToDateDecision?[] _decisions;
    private readonly bool[] _ran;

    private CheckAhead(TaskGraph graph, UpToDateChecker checker, bool[] ran)
    {
        _graph = graph;
        _checker = checker;
        _ran = ran;
        _state = new int[graph.Tasks.Count];
        _decisions = new UpToDateDecision?[graph.Tasks.Count];
    }

    /// <summary>True when a plan is large enough, and the machine has a second core, for checking ahead to pay.</summary>
    public static bool WorthChecking(int[] plan) => Environment.ProcessorCount >= 2 && plan.Length >= MinimumTasks;

    /// <summary>Checks every task of the plan now, on every core (up to four), and returns the decisions, each
    /// taken as <see cref="TryTake"/> takes them: used while no task the task depends on has run since.</summary>
    public static CheckAhead CheckAll(TaskGraph graph, int[] plan, UpToDateChecker checker, bool[] ran, CancellationToken cancellationToken)
    {
        var ahead = new CheckAhead(graph, checker, ran);
        var next = -1;
        void Work()
        {
            // Runs of tasks per worker, not one at a time: the workers do not fight over a counter or share cache lines.
            const int Run = 64;
            int start;
            while ((start = Interlocked.Add(ref next, Run) - Run + 1) < plan.Length && !cancellationToken.IsCancellationRequested)
            {
                for (var k = start; k < Math.Min(start + Run, plan.Length); k++)
                {
                    ahead.CheckNow(plan[k], cancellationToken);
                }
            }
        }

        // Nothing runs until every check is done: targets may be looked up in listings of their directories.
        checker.SnapshotTargets(true);
        try
        {
            // The first helper is the thread that opened the state, when it still waits; the others come from the pool.
            var spare = SpareThread.TryGive(Work);
            var helpers = new Task[Math.Clamp(Environment.ProcessorCount, 1, 4) - (spare is null ? 1 : 2)];
            for (var h = 0; h < helpers.Length; h++)
            {
                helpers[h] = Task.Run(Work, CancellationToken.None);
            }

            Work();
            spare?.Wait();
            Task.WaitAll(helpers, CancellationToken.None);
        }
        finally
        {
            checker.SnapshotTargets(false);
        }

        return ahead;
    }

    /// <summary>The decision taken ahead for a task (null: none, or its check failed).</summary>
    public UpToDateDecision? Decision(int index) => Volatile.Read(ref _state[index]) == Ready ? _decisions[index] : null;

    /// <summary>Starts checking ahead when the plan is large enough and there is a second core; null otherwise.</summary>
    public static CheckAhead? Start(TaskGraph graph, int[] plan, UpToDateChecker checker, Func<int, bool> eligible, bool[] ran, CancellationToken cancellationToken)
    {
        if (!WorthChecking(plan))
        {
            return null;
        }

        var ahead = new CheckAhead(graph, checker, ran);
        void CheckBackwards() => ahead.CheckBackwards(plan, eligible, cancellationToken);
        if (SpareThread.TryGive(CheckBackwards) is null)
        {
            _ = Task.Run(CheckBackwards, CancellationToken.None);
        }

        return ahead;
    }

    /// <summary>
    /// The decision taken ahead for a task, if there is one and it still holds; false: check it now (the scheduler's
    /// thread claims it, so the worker leaves it).
    /// </summary>
    public bool TryTake(int index, out UpToDateDecision decision)
    {
        decision = null!;
        var state = Interlocked.CompareExchange(ref _state[index], TakenByScheduler, Free);
        if (state == Free || state == TakenByScheduler)
        {
            return false;
        }

        // Being checked right now: it takes microseconds.
        var spin = new SpinWait();
        while (Volatile.Read(ref _state[index]) == Checking)
        {
            spin.SpinOnce();
        }

        if (_decisions[index] is not { } ahead)
        {
            return false;
        }

        foreach (var dependency in _graph.Dependencies[index])
        {
            if (Volatile.Read(ref _ran[dependency.Task]))
            {
                return false;
            }
        }

        decision = ahead;
        return true;
    }

    private void CheckBackwards(int[] plan, Func<int, bool> eligible, CancellationToken cancellationToken)
    {
        for (var k = plan.Length - 1; k >= 0 && !cancellationToken.IsCancellationRequested; k--)
        {
            var index = plan[k];
            if (eligible(index) && Interlocked.CompareExchange(ref _state[index], Checking, Free) == Free)
            {
                CheckNow(index, cancellationToken);
            }
        }
    }

    // Takes the decision of a check that completes at once, as plain file checks do (they run no user code); one that
    // would have to wait, or fails (a missing file dep), leaves no decision: the scheduler checks the task in its turn.
    private void CheckNow(int index, CancellationToken cancellationToken)
    {
        UpToDateDecision? decision = null;
        try
        {
            var check = _checker.CheckAsync(_graph.Tasks[index], always: false, cancellationToken);
            if (check.IsCompletedSuccessfully)
            {
                decision = check.Result;
            }
            else
            {
                _ = check.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }

        _decisions[index] = decision;
        Volatile.Write(ref _state[index], Ready);
    }
}
