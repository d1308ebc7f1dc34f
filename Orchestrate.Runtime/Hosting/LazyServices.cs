using Orchestrate.Planning;
using Orchestrate.Reporting;

namespace Orchestrate.Hosting;

/// <summary>
/// The run's host, built the first time something needs a service: a task that runs, or an up-to-date
/// rule computed by user code. A run where every task is up to date never pays for configuration and
/// dependency injection.
/// </summary>
internal sealed class LazyServices(OrchestratorSettings settings, TaskGraph graph, string projectDirectory, IRunObserver reporter) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RunHost? _host;

    public RunHost? Started => Volatile.Read(ref _host);

    public async ValueTask<RunHost> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _host) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _host ??= await RunHost.StartAsync(settings, graph, projectDirectory, reporter, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
