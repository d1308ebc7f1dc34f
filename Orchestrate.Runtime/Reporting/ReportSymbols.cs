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

        return Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage ? Unicode : Ascii;
    }
}
