using System.Globalization;
using System.Runtime;
using System.Runtime.CompilerServices;
using Orchestrate.Hosting;

namespace Orchestrate.Tests.Runtime;

/// <summary>
/// A large run holds off garbage collections to its end, within a budget (Hosting.CollectionPause): what it makes before
/// its tasks run lives to the end anyway. Measured in this process with the collector's own counters.
/// </summary>
[TestFixture]
[NonParallelizable]
public class CollectionPauseTests
{
    // Well past CollectionPause.MinimumTasks, and large enough that a run of this many tasks, ~1 KB each, allocates more
    // than the collector's usual first budget (a few MB): without the pause, such a run collects.
    private const int Count = 6000;

    private static byte[]? _garbage;

    [TearDown]
    public void EndAnyPause() => CollectionPause.End();

    private static CliHarness Copies(Action<TaskContext>? inside = null)
    {
        var cli = new CliHarness();
        Directory.CreateDirectory(cli.PathOf("out"));
        for (var i = 0; i < Count; i++)
        {
            var (source, target) = ($"src/{i}.txt", $"out/{i}.txt");
            cli.Write(source, $"{i}\n");
            cli.Add($"copy-{i}", ctx =>
            {
                inside?.Invoke(ctx);
                File.Copy(Path.Combine(ctx.ProjectDirectory, source), Path.Combine(ctx.ProjectDirectory, target), overwrite: true);
                return Task.CompletedTask;
            }, fileDeps: [source], targets: [target]);
        }

        return cli;
    }

    [Test]
    public async Task A_large_no_op_run_and_a_run_of_one_changed_task_collect_only_on_entering_the_pause()
    {
        var modes = new System.Collections.Concurrent.ConcurrentBag<GCLatencyMode>();
        using var cli = Copies(_ => modes.Add(GCSettings.LatencyMode));
        var first = await cli.RunAsync();
        modes.Clear();

        var before = GC.CollectionCount(0);
        var noOp = await cli.RunAsync();
        var noOpCollections = GC.CollectionCount(0) - before;
        var afterNoOp = GCSettings.LatencyMode;

        cli.Write("src/7.txt", "changed\n");
        before = GC.CollectionCount(0);
        var oneChanged = await cli.RunAsync();
        var oneChangedCollections = GC.CollectionCount(0) - before;

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(noOp.Output, Does.Contain($"{Count} up to date"), noOp.ToString());
        Assert.That(oneChanged.Lines, Does.Contain("-> copy-7 (src/7.txt changed)"), oneChanged.ToString());
        // At most one collection: the one that enters the pause (it collects what exists then, the descriptors).
        Assert.That(noOpCollections, Is.AtMost(1), "a no-op run collects nothing past entering the pause");
        Assert.That(oneChangedCollections, Is.AtMost(1), "nor does a run of one changed task");
        // Ending the pause when the first task starts made the runtime collect at once (it had allocated past its
        // usual budget inside the pause): the task runs inside it.
        Assert.That(modes, Is.EqualTo(new[] { GCLatencyMode.NoGCRegion }), "the one task ran inside the pause");
        Assert.That(afterNoOp, Is.Not.EqualTo(GCLatencyMode.NoGCRegion), "a run ends its pause");
        Assert.That(GCSettings.LatencyMode, Is.Not.EqualTo(GCLatencyMode.NoGCRegion));
    }

    [Test]
    public async Task Tasks_that_allocate_past_the_budget_end_the_pause_and_the_runtime_collects_as_usual()
    {
        using var cli = Copies(_ =>
        {
            // 64 KB of garbage a task, 380 MB in all: past any budget of the pause (at most 128 MB).
            Volatile.Write(ref _garbage, new byte[64 << 10]);
        });
        var before = GC.CollectionCount(0);
        var result = await cli.RunAsync();

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain($"{Count} succeeded"), result.ToString());
        Assert.That(GC.CollectionCount(0) - before, Is.GreaterThan(2), "the runtime collected once the budget was spent");
        Assert.That(GCSettings.LatencyMode, Is.Not.EqualTo(GCLatencyMode.NoGCRegion));
    }

    [Test]
    public void PrepareHeap_holds_off_collections_while_descriptors_are_made_and_only_for_a_large_count()
    {
        Orchestrator.PrepareHeap(100);
        var small = GCSettings.LatencyMode;

        Orchestrator.PrepareHeap(Count);
        var before = GC.CollectionCount(0);
        var descriptors = new List<TaskDescriptor>();
        for (var i = 0; i < Count; i++)
        {
            // ~600 bytes each, as a generated descriptor with a doc line and a source location.
            descriptors.Add(new TaskDescriptor
            {
                Name = "task-" + i.ToString(CultureInfo.InvariantCulture),
                Method = "Build.Task" + i.ToString(CultureInfo.InvariantCulture),
                Doc = "Makes the file number " + i.ToString(CultureInfo.InvariantCulture),
                FileDeps = ["src/file" + i.ToString(CultureInfo.InvariantCulture) + ".c"],
                Targets = ["obj/file" + i.ToString(CultureInfo.InvariantCulture) + ".o"],
                Source = "Build.cs:" + i.ToString(CultureInfo.InvariantCulture),
                Invoke = _ => ValueTask.FromResult<object?>(null),
            });
        }

        var collections = GC.CollectionCount(0) - before;
        var mode = GCSettings.LatencyMode;
        CollectionPause.End();

        Assert.That(small, Is.Not.EqualTo(GCLatencyMode.NoGCRegion), "100 tasks: no pause");
        Assert.That(mode, Is.EqualTo(GCLatencyMode.NoGCRegion));
        Assert.That(collections, Is.Zero);
        Assert.That(descriptors, Has.Count.EqualTo(Count));
        Assert.That(GCSettings.LatencyMode, Is.Not.EqualTo(GCLatencyMode.NoGCRegion), "End ends it");
    }

    [Test]
    public void On_Linux_the_memory_of_the_pause_is_advised_for_huge_pages()
    {
        if (!OperatingSystem.IsLinux() || File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]", StringComparison.Ordinal))
        {
            Assert.Ignore("no transparent huge pages here");
        }

        Orchestrator.PrepareHeap(Count);
        object made = new byte[100];
        var address = (ulong)Unsafe.As<object, nint>(ref made);
        var flags = VmFlagsAt(address);
        CollectionPause.End();

        // "hg": the mapping asks for huge pages (MADV_HUGEPAGE); the heap's memory does not otherwise.
        Assert.That(flags, Does.Contain("hg"), $"VmFlags of the mapping at {address:x}");
    }

    // The VmFlags line of the mapping holding the address, from /proc/self/smaps.
    private static string[] VmFlagsAt(ulong address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            {
                inside = start <= address && address < end;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return [];
    }
}
