using System.Diagnostics;
using System.Globalization;

namespace Orchestrate.Bench;

/// <summary>Options as <c>--name value</c> pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
            {
                throw new ArgumentException($"expected '--name value', got '{name}'");
            }

            options._values[name[2..]] = e.Current;
        }

        return options;
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public int[] Ints(string name, params int[] fallback) =>
        _values.TryGetValue(name, out var value)
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()
            : fallback;

    public string[] Strings(string name, params string[] fallback) =>
        _values.TryGetValue(name, out var value) ? value.Split(',', StringSplitOptions.RemoveEmptyEntries) : fallback;
}

/// <summary>Warm-up, repetitions and medians: nothing more is needed for figures in the micro- to millisecond range.</summary>
internal static class Harness
{
    public static double Median(IEnumerable<double> samples)
    {
        var sorted = samples.OrderBy(s => s).ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("no samples", nameof(samples));
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>A full, blocking collection so that one repetition's garbage is not paid for by the next.</summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public static double Ms(TimeSpan t) => t.TotalMilliseconds;

    public static double Ms(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    public static string F(double value) => value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    /// <summary>A line for the scripts: <c>RESULT key value</c>.</summary>
    public static void Result(string key, double value) =>
        Console.WriteLine(FormattableString.Invariant($"RESULT {key} {value:F4}"));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static void PrintEnvironment()
    {
        Console.WriteLine(FormattableString.Invariant(
            $"# .NET {System.Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, load average {LoadAverage()}"));
    }
}
