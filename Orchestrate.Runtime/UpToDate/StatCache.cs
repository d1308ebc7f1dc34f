using System.Collections.Concurrent;
using Orchestrate.Planning;

namespace Orchestrate.UpToDate;

/// <summary>
/// The file deps and targets of a run's tasks, stat-ed up front on every core, so that the up-to-date
/// checks of a run where nothing changes cost a dictionary lookup per file instead of a system call.
/// The moment any task runs, the cache is switched off for the rest of the run: a task may change files
/// it does not declare, and every later check must see the disk as it is (as doit checks each task
/// right before it would run).
/// </summary>
public sealed class StatCache
{
    private readonly ConcurrentDictionary<string, FileStat> _stats;
    private volatile bool _valid = true;

    private StatCache(ConcurrentDictionary<string, FileStat> stats) => _stats = stats;

    /// <summary>What one <c>stat</c> said.</summary>
    /// <param name="Exists">Something exists at the path.</param>
    /// <param name="IsFile">It is a regular file.</param>
    /// <param name="Size">Its size.</param>
    /// <param name="ModifiedTicks">Its modification time, UTC ticks.</param>
    public readonly record struct FileStat(bool Exists, bool IsFile, long Size, long ModifiedTicks);

    /// <summary>Stats the literal file deps and targets of the planned tasks, in parallel.</summary>
    public static StatCache Prefetch(TaskGraph graph, IReadOnlyList<int> plan, string projectDirectory)
    {
        var paths = new List<string>(plan.Count * 2);
        foreach (var i in plan)
        {
            var task = graph.Tasks[i];
            foreach (var dep in task.FileDeps)
            {
                if (!Glob.IsPattern(dep))
                {
                    paths.Add(Path.Combine(projectDirectory, PathNames.Normalize(dep)));
                }
            }

            foreach (var target in task.Targets)
            {
                paths.Add(Path.Combine(projectDirectory, target));
            }
        }

        var stats = new ConcurrentDictionary<string, FileStat>(Environment.ProcessorCount, Math.Max(paths.Count, 1), StringComparer.Ordinal);
        if (paths.Count < 512)
        {
            // Too few to be worth the threads.
            foreach (var path in paths)
            {
                stats[path] = Stat(path);
            }
        }
        else
        {
            Parallel.ForEach(Partitioner.Create(0, paths.Count), range =>
            {
                for (var k = range.Item1; k < range.Item2; k++)
                {
                    stats[paths[k]] = Stat(paths[k]);
                }
            });
        }

        return new StatCache(stats);
    }

    /// <summary>A task is about to run: from now on, every check reads the disk.</summary>
    public void Invalidate() => _valid = false;

    /// <summary>The stat of a path: from the cache while it holds, else from the disk.</summary>
    public FileStat Get(string fullPath) =>
        _valid && _stats.TryGetValue(fullPath, out var stat) ? stat : Stat(fullPath);

    private static FileStat Stat(string fullPath)
    {
        if (UnixStat.TryStatFile(fullPath, out var size, out var ticks))
        {
            return new FileStat(true, true, size, ticks);
        }

        return UnixStat.Exists(fullPath) ? new FileStat(true, false, 0, 0) : default;
    }
}
