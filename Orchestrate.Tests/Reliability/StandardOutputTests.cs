using System.Diagnostics;
using Orchestrate.Reporting;

namespace Orchestrate.Tests.Reliability;

/// <summary>A run's report goes to standard output through a stream of Orchestrate's own (StandardOutputStream): it
/// must behave as the console's does when the reader goes away, and the symbols follow the locale as the console's
/// encoding would.</summary>
[TestFixture]
[NonParallelizable]
public class StandardOutputTests
{
    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("orchestrate-stdout-").FullName;

    [TearDown]
    public void Cleanup() => StoreProbe.DeleteQuietly(_root);

    [Test]
    public async Task A_run_whose_output_reader_went_away_runs_to_its_end_without_an_error()
    {
        // As `./build | head -1`: the reader closes its end at once; every line written after that is dropped.
        var project = StoreProbe.NewProject(_root, "p");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { StateAppProcess.Dll, "40", "5", "-C", project, "-j", "2" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        process.StandardOutput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.That(process.ExitCode, Is.EqualTo(0), await errors);
        Assert.That(await errors, Is.Empty, "no error for a closed pipe");
        Assert.That(File.ReadAllLines(Path.Combine(project, "executed.log")), Has.Length.EqualTo(40), "every task ran");
    }

    [TestCase("en_US.UTF-8", null, null, true)]
    [TestCase("en_US.utf8", null, null, true)]
    [TestCase("de_DE.ISO-8859-1@euro", null, null, false)]
    [TestCase("C", null, null, true)]
    [TestCase("en_US.UTF-8", "C.ANSI_X3.4-1968", null, false)]
    [TestCase("de_DE.ISO-8859-1", null, "C.UTF-8", true)]
    [TestCase(null, null, null, true)]
    public void The_symbols_follow_the_locale_charset(string? lang, string? lcMessages, string? lcAll, bool unicode)
    {
        string[] names = ["LANG", "LC_MESSAGES", "LC_ALL", "TERM", ReportSymbols.Variable];
        var saved = names.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("LANG", lang);
            Environment.SetEnvironmentVariable("LC_MESSAGES", lcMessages);
            Environment.SetEnvironmentVariable("LC_ALL", lcAll);
            Environment.SetEnvironmentVariable("TERM", "xterm");
            Environment.SetEnvironmentVariable(ReportSymbols.Variable, null);

            Assert.That(ReportSymbols.Detect(), Is.SameAs(unicode ? ReportSymbols.Unicode : ReportSymbols.Ascii));
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
