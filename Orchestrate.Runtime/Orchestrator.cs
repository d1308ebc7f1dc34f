using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Orchestrate.Cli;

namespace Orchestrate;

/// <summary>
/// The entry point of an Orchestrate program: <c>return Orchestrator.Run(args);</c> (or <c>await RunAsync</c>).
/// It owns Ctrl+C and SIGTERM once a run has something to run (other commands: at once): the first
/// cancels the run (running tasks and their processes are stopped, exit code 130); a second one ends
/// the process at once. Before that, a signal ends the process as it ends any program.
/// </summary>
public static class Orchestrator
{
    /// <summary>Runs the command line against the tasks the generator registered.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, new OrchestratorSettings());

    /// <summary>Runs the command line, after adding the program's own services and configuration.</summary>
    public static Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> configureHost) =>
        RunAsync(args, new OrchestratorSettings { ConfigureHost = configureHost });

    /// <summary>
    /// Runs the command line on this thread and returns the exit code: <c>return Orchestrator.Run(args);</c>. The same
    /// run as <see cref="RunAsync(string[])"/>, for a <c>Main</c> that has nothing else to do meanwhile: waiting here
    /// rather than awaiting lets a run start faster (the machinery of a suspended await is compiled at run time on every
    /// start; ReadyToRun keeps none of it).
    /// </summary>
    public static int Run(string[] args) => Run(args, new OrchestratorSettings());

    /// <summary><see cref="Run(string[])"/>, after adding the program's own services and configuration.</summary>
    public static int Run(string[] args, Action<HostApplicationBuilder> configureHost) =>
        Run(args, new OrchestratorSettings { ConfigureHost = configureHost });

    /// <summary><see cref="Run(string[])"/> with explicit settings (tasks, output, project directory).</summary>
    public static int Run(string[] args, OrchestratorSettings settings, CancellationToken cancellationToken = default) =>
        RunAsync(args, settings, cancellationToken, waitHere: true).GetAwaiter().GetResult();

    /// <summary>
    /// Readies the process for a run of about <paramref name="taskCount"/> tasks, before their descriptors are made. For
    /// a large count (512 or more) garbage collections are held off from here to the end of the run (what a run makes
    /// before its tasks execute lives to its end: collecting it would only copy it), within a budget of about 2 KB a
    /// task: past it, the runtime collects as usual. On Linux that memory is asked for in huge pages, which saves most of
    /// the page faults of a large run's start. Smaller counts change nothing. The generated catalog calls it before it
    /// makes its descriptors; a program that makes many descriptors itself calls it first. (Followed by no run, the
    /// pause lasts until its budget is spent.)
    /// </summary>
    public static void PrepareHeap(int taskCount) => Hosting.CollectionPause.Begin(taskCount);

    /// <summary>Runs the command line with explicit settings (tasks, output, project directory).</summary>
    public static Task<int> RunAsync(string[] args, OrchestratorSettings settings, CancellationToken cancellationToken = default) =>
        RunAsync(args, settings, cancellationToken, waitHere: false);

    // waitHere: the caller waits for the run on this thread (Run): the run waits for its parts rather than awaiting them.
    private static async Task<int> RunAsync(string[] args, OrchestratorSettings settings, CancellationToken cancellationToken, bool waitHere)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(settings);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Registered when the command has something to stop (see RunSignals).
        using var signals = settings.HandleSignals ? new Hosting.RunSignals(OnSignal) : null;
        int code;
        try
        {
            code = await new CommandLineApp(settings, signals, waitHere).InvokeAsync(args, cancel.Token).ConfigureAwait(false);
        }
        finally
        {
            Hosting.CollectionPause.End(); // begun by PrepareHeap for any command, not only a run
        }

        Hosting.PhaseTrace.Mark("done");
        return cancel.IsCancellationRequested ? ExitCodes.Cancelled : code;

        void OnSignal(PosixSignalContext context)
        {
            if (cancel.IsCancellationRequested)
            {
                // Second signal: the default handler ends the process, once the connections to hosts are cut (their
                // masters would outlive it, and the commands on the hosts with them).
                Remote.OpenSsh.OpenSshConnection.KillMastersNow();
                return;
            }

            context.Cancel = true;
            (settings.Error ?? Console.Error).WriteLine("cancelling: stopping running tasks (press Ctrl+C again to quit at once)");
            cancel.Cancel();
        }
    }
}
