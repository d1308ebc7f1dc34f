using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrate.Planning;

/// <summary>File dep patterns: <c>*</c> (within a folder), <c>**</c> (any folders), <c>?</c> (one character).
/// Used both to expand a file dep on disk and to see whether it matches another task's target.</summary>
public static class Glob
{
    /// <summary>True when the path holds a wildcard.</summary>
    public static bool IsPattern(string path) => path.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>A regular expression matching normalized relative paths.</summary>
    public static Regex ToRegex(string pattern)
    {
        var p = PathNames.Normalize(pattern);
        var text = new StringBuilder("^");
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c == '*' && i + 1 < p.Length && p[i + 1] == '*')
            {
                // "**/" matches zero or more folders; a trailing "**" matches everything below.
                if (i + 2 < p.Length && p[i + 2] == '/')
                {
                    text.Append("(?:[^/]+/)*");
                    i += 2;
                }
                else
                {
                    text.Append(".*");
                    i += 1;
                }
            }
            else if (c == '*')
            {
                text.Append("[^/]*");
            }
            else if (c == '?')
            {
                text.Append("[^/]");
            }
            else
            {
                text.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(text.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>The files under <paramref name="root"/> that match, as sorted normalized relative paths.</summary>
    public static IReadOnlyList<string> Expand(string root, string pattern)
    {
        var normalized = PathNames.Normalize(pattern);
        var regex = ToRegex(normalized);
        // Walk only below the part of the pattern that has no wildcard.
        var segments = normalized.Split('/');
        var fixedCount = 0;
        while (fixedCount < segments.Length - 1 && !IsPattern(segments[fixedCount]))
        {
            fixedCount++;
        }

        var prefix = string.Join('/', segments.Take(fixedCount));
        var start = Path.Combine(root, prefix);
        if (!Directory.Exists(start))
        {
            return [];
        }

        var recursive = segments.Skip(fixedCount).Count() > 1 || normalized.Contains("**", StringComparison.Ordinal);
        var matches = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(start, "*", options))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (regex.IsMatch(relative))
            {
                matches.Add(relative);
            }
        }

        matches.Sort(StringComparer.Ordinal);
        return matches;
    }
}
