using System.Diagnostics;

namespace Orchestrate.Tests.Reliability;

/// <summary>The store holds paths relative to the project: a copied or moved checkout stays up to date.</summary>
[TestFixture]
[NonParallelizable]
public class MovedCheckoutTests
{
    private const int Tasks = 40;
    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("orchestrate-moved-").FullName;

    [TearDown]
    public void Cleanup() => StoreProbe.DeleteQuietly(_root);

    [TestCase(true, TestName = "A copy with its timestamps (cp -a) runs nothing")]
    [TestCase(false, TestName = "A copy with new timestamps (as a fresh clone) runs nothing")]
    public async Task A_copied_checkout_runs_nothing(bool keepTimestamps)
    {
        var a = StoreProbe.NewProject(_root, "a");
        var (code, output, errors) = await StateAppProcess.RunAsync(a, Tasks, 1);
        Assert.That(code, Is.EqualTo(0), string.Join('\n', output.Concat(errors)));
        Assert.That(StoreProbe.Executed(a), Has.Count.EqualTo(Tasks));

        var b = Path.Combine(_root, "elsewhere", "deeper", "b");
        Directory.CreateDirectory(Path.GetDirectoryName(b)!);
        if (keepTimestamps)
        {
            var (cpCode, cpOutput) = await EndToEnd.Shell.RunAsync("cp", ["-a", a, b], _root, TimeSpan.FromSeconds(30));
            Assert.That(cpCode, Is.EqualTo(0), cpOutput);
        }
        else
        {
            CopyWithNewTimestamps(a, b);
        }

        File.Delete(Path.Combine(b, "executed.log"));
        // The original goes away, as after a move: nothing may still point at it.
        StoreProbe.DeleteQuietly(a);

        var clock = Stopwatch.StartNew();
        var (moved, movedOut, movedErr) = await StateAppProcess.RunAsync(b, Tasks, 1);

        Assert.That(moved, Is.EqualTo(0), string.Join('\n', movedOut.Concat(movedErr)));
        Assert.That(StoreProbe.Executed(b), Is.Empty, string.Join('\n', movedOut));
        Assert.That(movedOut, Has.Some.Contains($"{Tasks} up to date"), string.Join('\n', movedOut));
        TestContext.Progress.WriteLine($"run in the copy: {clock.ElapsedMilliseconds} ms");
    }

    private static void CopyWithNewTimestamps(string from, string to)
    {
        var later = DateTime.UtcNow.AddMinutes(5);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, later);
        }
    }
}
