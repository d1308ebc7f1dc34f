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
                var handle = PlainFile.Open(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                // Written aside and renamed over: a run reading it while it is written sees a whole line, never an
                // empty or half-written one (only the holder writes the aside file).
                var written = ownerPath + ".tmp";
                PlainFile.WriteAllText(written, Describe(Environment.ProcessId, DateTime.UtcNow));
                File.Move(written, ownerPath, overwrite: true);
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

    // UTC, so that taking the lock does not load the time zone database (a few milliseconds of every run); the command
    // line from this process's own arguments rather than /proc, and the time without a format string (both cost a
    // few milliseconds of code run once, on every run).
    private static string Describe(int pid, DateTime since)
    {
        // As ps shows it: an apphost runs as itself; `dotnet program.dll` as the dotnet host, the program its first
        // argument (which is where .NET puts the program in both cases).
        var arguments = Environment.GetCommandLineArgs();
        var host = Environment.ProcessPath;
        var asItself = host is not null && arguments.Length > 0
            && string.Equals(Path.GetFileNameWithoutExtension(host), Path.GetFileNameWithoutExtension(arguments[0]), StringComparison.Ordinal);
        string[] words = host is null ? arguments : asItself ? [host, .. arguments.Skip(1)] : [host, .. arguments];
        return $"pid {pid.ToString(CultureInfo.InvariantCulture)}, `{string.Join(' ', words)}`, since {TwoDigits(since.Hour)}:{TwoDigits(since.Minute)}:{TwoDigits(since.Second)} UTC";
    }

    private static string TwoDigits(int value) => value.ToString("D2", CultureInfo.InvariantCulture);
}
