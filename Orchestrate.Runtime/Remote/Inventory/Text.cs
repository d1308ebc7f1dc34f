using System.Text;

namespace Orchestrate.Remote.Inventory;

/// <summary>Small text helpers for one-line error messages.</summary>
internal static class Text
{
    /// <summary>Quotes a user value for a message, keeping the message on one line.</summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        return new StringBuilder(value.Length + 2).Append('\'').Append(Visible(value)).Append('\'').ToString();
    }

    /// <summary>
    /// User-supplied text made safe to print on a terminal: control characters (line breaks, escape sequences, DEL,
    /// C1) and the invisible bidirectional controls that reorder what is shown (U+202A-U+202E, U+2066-U+2069, U+200E,
    /// U+200F, U+061C) are written as escapes (<c>\n</c>, <c>\x1b</c>, <c>\u202e</c>); everything else as it is.
    /// </summary>
    public static string Visible(string value)
    {
        var clean = true;
        foreach (var c in value)
        {
            clean &= !NeedsEscape(c);
        }

        if (clean)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c < 0x100 && NeedsEscape(c) => $"\\x{(int)c:x2}",
                _ when NeedsEscape(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c is >= '\x7f' and <= '\x9f' || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069' || c is '\u200e' or '\u200f' or '\u061c';

    /// <summary>Joins names for a message, cutting long lists.</summary>
    public static string List(IEnumerable<string> names, int max = 20)
    {
        var all = names.ToList();
        if (all.Count == 0)
        {
            return "none";
        }

        return all.Count <= max
            ? string.Join(", ", all)
            : string.Join(", ", all.Take(max)) + $" and {all.Count - max} more";
    }

    /// <summary>" Did you mean 'x'?" for the candidate nearest to <paramref name="input"/>, or an empty string.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates)
    {
        var best = Nearest(input, candidates);
        return best is null ? string.Empty : $" Did you mean {Quote(best)}?";
    }

    /// <summary>The candidate nearest to <paramref name="input"/> (case-insensitive edit distance), if near enough.</summary>
    public static string? Nearest(string input, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var limit = Math.Max(2, input.Length / 3);
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, input, StringComparison.Ordinal))
            {
                continue;
            }

            var distance = Distance(input.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance <= limit && distance < Math.Max(input.Length, 1)
                && (distance < bestDistance || (distance == bestDistance && NaturalCompare(candidate, best!) < 0)))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Compares names with runs of digits as numbers: web2 before web10.</summary>
    public static int NaturalCompare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var startA = i;
                var startB = j;
                while (i < a.Length && char.IsAsciiDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsAsciiDigit(b[j]))
                {
                    j++;
                }

                var digitsA = a[startA..i].TrimStart('0');
                var digitsB = b[startB..j].TrimStart('0');
                var byNumber = digitsA.Length != digitsB.Length
                    ? digitsA.Length.CompareTo(digitsB.Length)
                    : string.CompareOrdinal(digitsA, digitsB);
                if (byNumber != 0)
                {
                    return byNumber;
                }

                continue;
            }

            if (a[i] != b[j])
            {
                return a[i].CompareTo(b[j]);
            }

            i++;
            j++;
        }

        var byLength = (a.Length - i).CompareTo(b.Length - j);
        return byLength != 0 ? byLength : string.CompareOrdinal(a, b);
    }

    /// <summary>Edit distance counting an adjacent transposition as one edit.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
