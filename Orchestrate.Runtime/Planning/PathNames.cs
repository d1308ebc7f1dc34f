namespace Orchestrate.Planning;

/// <summary>How declared paths are compared: a file dep matches a target when both normalize alike.</summary>
internal static class PathNames
{
    /// <summary>A path as the graph compares it: <c>/</c> as separator, no leading <c>./</c>, no doubled or trailing
    /// <c>/</c>. A backslash is a separator only where the system says so (Windows); on Linux it is a character of a name.</summary>
    public static string Normalize(string path)
    {
        var p = Path.DirectorySeparatorChar == '\\' ? path.Replace('\\', '/') : path;
        while (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        while (p.Contains("//", StringComparison.Ordinal))
        {
            p = p.Replace("//", "/", StringComparison.Ordinal);
        }

        return p.Length > 1 ? p.TrimEnd('/') : p;
    }
}
