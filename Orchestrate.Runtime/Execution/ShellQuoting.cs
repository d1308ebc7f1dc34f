using System.Text;

namespace Orchestrate.Execution;

/// <summary>POSIX shell quoting: every value that goes into a shell command line goes through here.</summary>
public static class ShellQuoting
{
    /// <summary>Quotes one word so that <c>/bin/sh</c> reads it back unchanged. Plain words stay as they are.</summary>
    public static string Quote(string value)
    {
        if (value.Length > 0 && value.All(IsSafe))
        {
            return value;
        }

        // Inside single quotes nothing is special except the single quote itself,
        // which is written as: close quote, escaped quote, reopen quote.
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('\'');
        foreach (var c in value)
        {
            if (c == '\'')
            {
                builder.Append("'\\''");
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('\'');
        return builder.ToString();
    }

    /// <summary>Quotes each word and joins them with spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    private static bool IsSafe(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '_' or '.' or '/' or ':' or '=' or '+' or ',' or '@' or '%';
}
