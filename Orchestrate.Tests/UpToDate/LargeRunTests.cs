using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.UpToDate;

/// <summary>
/// Runs large enough for the scheduler to check tasks ahead on a second core: a decision taken ahead must never
/// hide a change made by a task that ran first.
/// </summary>
[TestFixture]
public class LargeRunTests
{
    private const int Chain = 700;

    // copy-0 copies src.txt to out/0.txt; copy-i copies out/(i-1).txt to out/i.txt: each reads what the one before made.
    private static CliHarness ChainOfCopies()
    {
        var cli = new CliHarness();
        cli.Write("src.txt", "v1\n");
        Directory.CreateDirectory(cli.PathOf("out"));
        for (var i = 0; i < Chain; i++)
        {
            var source = i == 0 ? "src.txt" : $"out/{i - 1}.txt";
            var target = $"out/{i}.txt";
            cli.Add($"copy-{i}", ctx =>
            {
                File.Copy(Path.Combine(ctx.ProjectDirectory, source), Path.Combine(ctx.ProjectDirectory, target), overwrite: true);
                return Task.CompletedTask;
            }, fileDeps: [source], targets: [target]);
        }

        return cli;
    }

    [Test]
    public async Task A_change_at_the_head_of_a_long_chain_reaches_its_end()
    {
        using var cli = ChainOfCopies();
        var first = await cli.RunAsync("-j", "2");
        var second = await cli.RunAsync("-j", "2");
        cli.TakeOrder();
        cli.Write("src.txt", "v2\n");

        var third = await cli.RunAsync("-j", "2");

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(second.Output, Does.Contain($"{Chain} up to date"), second.ToString());
        Assert.That(third.ExitCode, Is.EqualTo(0), third.ToString());
        Assert.That(cli.TakeOrder(), Has.Length.EqualTo(Chain), "every copy read a file the one before it rewrote");
        Assert.That(File.ReadAllText(cli.PathOf($"out/{Chain - 1}.txt")), Is.EqualTo("v2\n"));
    }

    [Test]
    public async Task A_change_in_the_middle_of_a_chain_reruns_from_there_and_reports_the_rest_up_to_date()
    {
        using var cli = ChainOfCopies();
        await cli.RunAsync("-j", "2");
        cli.TakeOrder();
        var middle = Chain / 2;
        cli.Write($"out/{middle - 1}.txt", "edited\n");

        var result = await cli.RunAsync("-j", "2");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(Enumerable.Range(middle, Chain - middle).Select(i => $"copy-{i}").ToArray()), "from the edited file's reader to the end, in order");
        Assert.That(result.Lines, Does.Contain($"-- copy-{middle - 1} (up to date)"), "a target's content is not a file dep (doit)");
        Assert.That(result.Output, Does.Contain($"{Chain - middle} succeeded, {middle} up to date"), result.ToString());
        Assert.That(File.ReadAllText(cli.PathOf($"out/{Chain - 1}.txt")), Is.EqualTo("edited\n"));
    }

    [Test]
    public async Task An_ignored_task_in_a_long_chain_takes_what_follows_it_along()
    {
        using var cli = ChainOfCopies();
        await cli.RunAsync("-j", "2");
        var ignore = await cli.RunAsync("ignore", "copy-10");
        cli.TakeOrder();
        cli.Write("src.txt", "v2\n");

        var result = await cli.RunAsync("-j", "2");

        Assert.That(ignore.ExitCode, Is.EqualTo(0), ignore.ToString());
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"copy-{i}").ToArray()));
        Assert.That(result.Lines, Does.Contain("!! copy-10 (ignored)").And.Contain($"!! copy-{Chain - 1} (ignored)"));
        Assert.That(File.ReadAllText(cli.PathOf($"out/{Chain - 1}.txt")), Is.EqualTo("v1\n"));
    }

    [Test]
    public async Task In_a_wide_run_one_changed_file_reruns_only_its_task()
    {
        using var cli = new CliHarness();
        Directory.CreateDirectory(cli.PathOf("out"));
        for (var i = 0; i < Chain; i++)
        {
            var (source, target) = ($"src/{i}.txt", $"out/{i}.txt");
            cli.Write(source, $"{i}\n");
            cli.Add($"copy-{i}", ctx =>
            {
                File.Copy(Path.Combine(ctx.ProjectDirectory, source), Path.Combine(ctx.ProjectDirectory, target), overwrite: true);
                return Task.CompletedTask;
            }, fileDeps: [source], targets: [target]);
        }

        await cli.RunAsync();
        cli.TakeOrder();
        cli.Write($"src/{Chain - 3}.txt", "changed\n");
        File.Delete(cli.PathOf("out/5.txt"));

        var result = await cli.RunAsync();

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(cli.TakeOrder(), Is.EquivalentTo(new[] { "copy-5", $"copy-{Chain - 3}" }));
        Assert.That(result.Lines, Does.Contain($"-> copy-{Chain - 3} (src/{Chain - 3}.txt changed)"));
        Assert.That(result.Lines, Does.Contain("-> copy-5 (target out/5.txt is missing)"));
    }
}
