namespace Orchestrate.Planning;

/// <summary>How declared paths are compared: a file dep matches a target when both normalize alike.</summary>
internal static class PathNames
{
    public static string Normalize(string path)
    {
        var p = path.Replace('\\', '/');
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
