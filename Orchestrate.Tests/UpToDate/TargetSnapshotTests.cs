using Orchestrate.Tests.Runtime;
using Orchestrate.UpToDate;

namespace Orchestrate.Tests.UpToDate;

/// <summary>
/// Targets checked from a listing of their directory (the check of a large plan before anything runs) exist exactly
/// when a stat of each says so: links, directories, odd names and missing files alike.
/// </summary>
[TestFixture]
public class TargetSnapshotTests
{
    [Test]
    public void A_listed_directory_answers_as_stat_does_for_every_kind_of_entry()
    {
        using var cli = new CliHarness();
        Directory.CreateDirectory(cli.PathOf("out/sub"));
        var plain = Enumerable.Range(0, TargetSnapshot.Threshold).Select(i => $"out/f{i}.o").ToList();
        foreach (var target in plain)
        {
            cli.Write(target, "x");
        }

        cli.Write("out/with space.o", "x");
        cli.Write("out/été ünïcode.o", "x");
        cli.Write("out/quote'd $(x).o", "x");
        File.CreateSymbolicLink(cli.PathOf("out/link-to-file.o"), cli.PathOf("out/f0.o"));
        File.CreateSymbolicLink(cli.PathOf("out/dangling.o"), cli.PathOf("out/nothing-here"));
        string[] questions =
        [
            "out/with space.o", "out/été ünïcode.o", "out/quote'd $(x).o", "out/sub", "out/link-to-file.o", "out/dangling.o",
            "out/missing.o", "out/F0.O", "out/sub/deeper.o", "out/./f1.o", "out/../out/f1.o", "out//f1.o", "out/", "out",
        ];

        var snapshot = new TargetSnapshot(cli.Directory);
        var fromListing = new List<string>();
        foreach (var target in plain.Concat(questions))
        {
            var answer = snapshot.Exists(target);
            if (answer is not null)
            {
                fromListing.Add(target);
            }

            Assert.That(answer ?? UnixStatExists(cli, target), Is.EqualTo(UnixStatExists(cli, target)), target);
        }

        Assert.That(fromListing, Does.Contain("out/with space.o").And.Contain("out/été ünïcode.o").And.Contain("out/missing.o").And.Contain("out/sub"),
            "past the threshold, the listing answers for its directory");
        Assert.That(fromListing, Does.Not.Contain("out/link-to-file.o").And.Not.Contain("out/dangling.o"), "a link is left to stat, which follows it");
        Assert.That(fromListing, Does.Not.Contain("out/./f1.o").And.Not.Contain("out//f1.o"), "a path that is not plain is left to stat");
    }

    private static bool UnixStatExists(CliHarness cli, string target) => Path.Exists(Path.Combine(cli.Directory, target));

    // Through a run: 600 copy tasks whose targets share one directory are checked before anything runs; a deleted target
    // and a target replaced by a dangling link each make their task run, and nothing else runs.
    [Test]
    public async Task A_large_plan_reruns_the_tasks_whose_target_is_gone_or_a_dangling_link()
    {
        using var cli = new CliHarness();
        var names = CopyTasks.Add(cli, 600);

        Assert.That((await cli.RunAsync(names)).ExitCode, Is.EqualTo(0));
        cli.TakeOrder();
        File.Delete(cli.PathOf("out/f17.txt"));
        File.Delete(cli.PathOf("out/f400.txt"));
        File.CreateSymbolicLink(cli.PathOf("out/f400.txt"), cli.PathOf("out/no-such-file"));
        File.Delete(cli.PathOf("out/f401.txt"));
        File.CreateSymbolicLink(cli.PathOf("out/f401.txt"), cli.PathOf("src/f401.txt"));

        var result = await cli.RunAsync(names);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.EquivalentTo(new[] { "copy-17", "copy-400" }), "a link to an existing file is a target that exists");
        Assert.That(result.Lines, Does.Contain("-> copy-17 (target out/f17.txt is missing)"));
        Assert.That(result.Lines, Does.Contain("-> copy-400 (target out/f400.txt is missing)"));
    }
}
