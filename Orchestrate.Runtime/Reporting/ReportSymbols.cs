using System.Text;

namespace Orchestrate.Reporting;

/// <summary>The marks of the end-of-run report, asynciojobs' legend: critical, raised, went through, complete,
/// running, idle, forever. Unicode on a console that can show it, ASCII otherwise.</summary>
/// <param name="Critical">The task is critical: its failure aborts the run.</param>
/// <param name="Raised">The task failed (raised an exception or a command failed).</param>
/// <param name="WentThrough">The task went through without failing (ran, or was up to date).</param>
/// <param name="Complete">The task is finished.</param>
/// <param name="Running">The task was running when the run ended (cut by a timeout or cancelled).</param>
/// <param name="Idle">The task never started.</param>
/// <param name="Forever">The task is a forever task.</param>
public sealed record ReportSymbols(char Critical, char Raised, char WentThrough, char Complete, char Running, char Idle, char Forever)
{
    /// <summary>The environment variable that forces <c>ascii</c> or <c>unicode</c> marks.</summary>
    public const string Variable = "ORCHESTRATE_SYMBOLS";

    /// <summary>asynciojobs' own marks.</summary>
    public static readonly ReportSymbols Unicode = new('⚠', '★', '☉', '☓', '↺', '⚐', '∞');

    /// <summary>Marks for a console that cannot show the Unicode ones.</summary>
    public static readonly ReportSymbols Ascii = new('!', '*', 'o', 'x', '~', '-', '@');

    /// <summary>The legend, one line.</summary>
    public string Legend =>
        $"{Critical} critical, {Raised} failed, {WentThrough} went through, {Complete} complete, {Running} running when cut, {Idle} never started, {Forever} forever";

    /// <summary>Unicode unless <see cref="Variable"/> says <c>ascii</c>, <c>TERM</c> is <c>dumb</c>, or the console's
    /// output encoding is not UTF-8 (<see cref="Variable"/>=<c>unicode</c> wins over the last two).</summary>
    public static ReportSymbols Detect()
    {
        var forced = Environment.GetEnvironmentVariable(Variable);
        if (string.Equals(forced, "ascii", StringComparison.OrdinalIgnoreCase))
        {
            return Ascii;
        }

        if (string.Equals(forced, "unicode", StringComparison.OrdinalIgnoreCase))
        {
            return Unicode;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal))
        {
            return Ascii;
        }

        return OutputIsUtf8() ? Unicode : Ascii;
    }

    // An array, not a span made by a collection expression: that one's helper is compiled at run time.
    private static readonly string[] LocaleVariables = ["LC_ALL", "LC_MESSAGES", "LANG"];

    // Whether the console's output encoding is UTF-8, as .NET chooses it on Unix, without making the console's writer
    // (a few milliseconds of every start: see DeferredWriter): the charset of the locale named by LC_ALL, LC_MESSAGES or
    // LANG, the first one set ("en_US.UTF-8", "de_DE.ISO-8859-1@euro"); none, or a locale without one, means UTF-8.
    // Elsewhere, the console's own answer.
    private static bool OutputIsUtf8()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage;
        }

        string? locale = null;
        foreach (var variable in LocaleVariables)
        {
            locale = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(locale))
            {
                break;
            }
        }

        var dot = locale?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot < 0)
        {
            return true;
        }

        var charset = locale.AsSpan(dot + 1);
        var at = charset.IndexOf('@');
        charset = at < 0 ? charset : charset[..at];
        return charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
