using Orchestrate.Planning;

namespace Orchestrate.UpToDate;

/// <summary>Stamps files: size and modification time from one stat, and the content hash only when
/// those differ from what was recorded (doit's MD5 checker with its timestamp shortcut).</summary>
internal static class FileStamps
{
    /// <summary>The task's file deps, globs expanded, as sorted normalized relative paths.</summary>
    public static IReadOnlyList<string> Resolve(string projectDirectory, IReadOnlyList<string> fileDeps)
    {
        if (fileDeps.Count == 1 && !Glob.IsPattern(fileDeps[0]))
        {
            // Already normalized (Normalize then returns the same string): the task's own list serves.
            var path = PathNames.Normalize(fileDeps[0]);
            return ReferenceEquals(path, fileDeps[0]) ? fileDeps : [path];
        }

        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dep in fileDeps)
        {
            if (Glob.IsPattern(dep))
            {
                paths.UnionWith(Glob.Expand(projectDirectory, dep));
            }
            else
            {
                paths.Add(PathNames.Normalize(dep));
            }
        }

        return [.. paths];
    }

    /// <summary>Stamps one file, reusing the recorded hash when size and time did not change.
    /// Null when the file does not exist.</summary>
    public static FileStamp? Stamp(string projectDirectory, string path, FileStamp? previous)
    {
        if (!UnixStat.TryStatFile(projectDirectory, path, out var size, out var ticks))
        {
            return null;
        }

        if (previous is not null && previous.Size == size && previous.ModifiedTicks == ticks)
        {
            return previous;
        }

        return new FileStamp(path, size, ticks, Hash(Path.Combine(projectDirectory, path)));
    }

    private static string Hash(string file) => ContentHash.OfFile(file);

    /// <summary>A short stable hash of a text (a config value, a result).</summary>
    public static string HashText(string text) => ContentHash.Of(System.Text.Encoding.UTF8.GetBytes(text));
}
