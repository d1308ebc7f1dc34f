using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Orchestrate.Tests.Reporting;

/// <summary>Expected outputs kept beside the tests, in Golden/. Durations and stack frames, which change from run to
/// run, are normalised first. UPDATE_GOLDEN=1 rewrites a file from the actual output (then read the diff).</summary>
internal static partial class Golden
{
    public static string Normalise(string output)
    {
        var text = Durations().Replace(output.Replace("\r", "", StringComparison.Ordinal), "0.00s");
        text = SourceLines().Replace(text, ".cs:N");
        text = Frames().Replace(text, "    at <frame>");
        // Several frames in a row are one: their number depends on the build.
        text = RepeatedFrames().Replace(text, "    at <frame>\n");
        return text;
    }

    public static void AssertMatches(string actual, string name, [CallerFilePath] string source = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(source)!, "Golden", name);
        var normalised = Normalise(actual);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1" || !File.Exists(path))
        {
            File.WriteAllText(path, normalised);
            if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") != "1")
            {
                Assert.Fail($"golden file {name} did not exist; it was written from this run: check it and run again");
            }
        }

        Assert.That(normalised, Is.EqualTo(File.ReadAllText(path)), $"output differs from Golden/{name}");
    }

    [GeneratedRegex(@"\d+\.\d\ds\b")]
    private static partial Regex Durations();

    [GeneratedRegex(@"\.cs:\d+")]
    private static partial Regex SourceLines();

    [GeneratedRegex(@"^ +at .*$", RegexOptions.Multiline)]
    private static partial Regex Frames();

    [GeneratedRegex(@"(    at <frame>\n)+")]
    private static partial Regex RepeatedFrames();
}
