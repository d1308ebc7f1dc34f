using System.Runtime.InteropServices;

namespace Orchestrate.Hosting;

/// <summary>
/// The program's Ctrl+C (SIGINT) and SIGTERM handlers, registered when <see cref="Arm"/> is first called: by a run when
/// it has something to run (a task to execute, or rules to check), by any other command at once. Until then a signal
/// ends the process as it would any program: nothing is running then, the project's lock goes with the process and
/// the state store keeps every record written (it is made to survive a kill). A run with nothing to do, the most
/// frequent one, never registers them: .NET's registration costs ~2 ms of every start (it compiles part of its table
/// at run time) and another thread.
/// </summary>
internal sealed class RunSignals(Action<PosixSignalContext> handler) : IDisposable
{
    private readonly Lock _gate = new();
    private PosixSignalRegistration? _interrupt;
    private PosixSignalRegistration? _terminate;
    private bool _armed;
    private bool _disposed;

    /// <summary>Registers the handlers, once (any thread, any number of times; nothing after <see cref="Dispose"/>).</summary>
    public void Arm()
    {
        if (Volatile.Read(ref _armed))
        {
            return;
        }

        lock (_gate)
        {
            if (_armed || _disposed)
            {
                return;
            }

            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, handler);
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, handler);
            Volatile.Write(ref _armed, true);
        }
    }

    /// <summary>Gives the handlers back (the signals' default actions again).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _interrupt?.Dispose();
            _terminate?.Dispose();
        }
    }
}
