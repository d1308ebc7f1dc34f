using Microsoft.Extensions.Logging;
using Orchestrate.Execution;
using Orchestrate.Reporting;

namespace Orchestrate.Hosting;

/// <summary>Routes ILogger messages into the run's event stream, prefixed by the task that logged them,
/// so that a task's log lines read like its process output.</summary>
internal sealed class TaskLoggerProvider(IRunObserver observer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TaskLogger(observer);

    public void Dispose() { }

    private sealed class TaskLogger(IRunObserver observer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = logLevel switch
            {
                LogLevel.Warning => "warning: ",
                LogLevel.Error or LogLevel.Critical => "error: ",
                _ => "",
            };
            var message = level + formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            foreach (var line in message.Split('\n'))
            {
                observer.TaskOutput(CurrentTask.Name ?? "orchestrate", line.TrimEnd('\r'), logLevel >= LogLevel.Warning);
            }
        }
    }
}
