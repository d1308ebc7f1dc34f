using System.Diagnostics;
using System.Globalization;

namespace Orchestrate.UpToDate;

/// <summary>
/// One run (or forget, clean, ignore) at a time per project: an exclusive lock on
/// <c>.orchestrate/lock</c>, released by the kernel if the process dies. The holder writes who it is
/// into <c>.orchestrate/owner</c>, so that a second run can say which process it waits for.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _lock;

    private RunLock(FileStream handle) => _lock = handle;

    /// <summary>Takes the project's lock; with <paramref name="wait"/>, waits for it instead of failing.</summary>
    /// <exception cref="StateStoreException">Another process holds it and <paramref name="wait"/> is false.</exception>
    public static async Task<RunLock> AcquireAsync(string projectDirectory, bool wait, Action<string>? onWait, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(projectDirectory, StateStore.DirectoryName);
        Directory.CreateDirectory(folder);
        var lockPath = Path.Combine(folder, "lock");
        var ownerPath = Path.Combine(folder, "owner");
        var announced = false;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix.
                var handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                File.WriteAllText(ownerPath, Describe(Environment.ProcessId, DateTime.UtcNow));
                return new RunLock(handle);
            }
            catch (IOException)
            {
                var owner = File.Exists(ownerPath) ? (await File.ReadAllTextAsync(ownerPath, cancellationToken).ConfigureAwait(false)).Trim() : "another process";
                if (!wait)
                {
                    throw new StateStoreException($"another run is in progress in {projectDirectory} ({owner}): wait for it to finish, or rerun with --wait");
                }

                if (!announced)
                {
                    onWait?.Invoke($"waiting for the run in progress ({owner}) to finish");
                    announced = true;
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();

    // UTC, so that taking the lock does not load the time zone database (a few milliseconds of every run).
    private static string Describe(int pid, DateTime since)
    {
        var command = "";
        try
        {
            command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            command = Process.GetCurrentProcess().ProcessName;
        }

        return string.Create(CultureInfo.InvariantCulture, $"pid {pid}, `{command}`, since {since:HH:mm:ss} UTC");
    }
}
