using System.Text;

namespace Orchestrate.Tests.Reliability;

/// <summary>
/// A store that cannot be used (garbage, a damaged page, another program's SQLite file): one line
/// that says so and names the way out, exit code 2, no stack trace; <c>forget --all</c> is the way out.
/// </summary>
[TestFixture]
[NonParallelizable]
public class DamagedStoreTests
{
    private const int Tasks = 30;
    private const int Seed = 7_919;
    private string _root = "";

    public enum Damage
    {
        GarbageOverTheWholeFile,
        DamagedRecordBeforeTheLast,
        DamagedLengthBeforeTheLast,
        ForeignSqliteDatabase,
        AnotherFormatVersion,
        PlainTextFile,
    }

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("orchestrate-damaged-").FullName;

    [TearDown]
    public void Cleanup() => StoreProbe.DeleteQuietly(_root);

    [TestCase(Damage.GarbageOverTheWholeFile, "it is not an Orchestrate state store")]
    [TestCase(Damage.DamagedRecordBeforeTheLast, "the record at byte 8 is damaged")]
    [TestCase(Damage.DamagedLengthBeforeTheLast, "the record at byte 8 is damaged")]
    [TestCase(Damage.ForeignSqliteDatabase, "it is not an Orchestrate state store")]
    [TestCase(Damage.AnotherFormatVersion, "it was written by another version of Orchestrate")]
    [TestCase(Damage.PlainTextFile, "it is not an Orchestrate state store")]
    public async Task An_unusable_store_is_one_error_line_and_forget_all_is_the_way_out(Damage damage, string? why)
    {
        var project = StoreProbe.NewProject(_root, "p");
        var (firstCode, firstOut, firstErr) = await StateAppProcess.RunAsync(project, Tasks, 1);
        Assert.That(firstCode, Is.EqualTo(0), string.Join('\n', firstOut.Concat(firstErr)));
        var store = StoreProbe.StorePath(project);
        Spoil(store, damage);
        File.Delete(Path.Combine(project, "executed.log"));

        var (code, output, errors) = await StateAppProcess.RunAsync(project, Tasks, 1);

        var all = string.Join('\n', output.Concat(errors));
        Assert.That(code, Is.EqualTo(2), all);
        Assert.That(errors, Has.Length.EqualTo(1), all);
        Assert.That(errors[0], Does.StartWith($"error: the state store {store} cannot be used:"));
        Assert.That(errors[0], Does.Contain("forget --all"));
        if (why is not null)
        {
            Assert.That(errors[0], Does.Contain(why));
        }

        Assert.That(all, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(all, Does.Not.Contain("Exception"), "no exception type names");
        Assert.That(StoreProbe.Executed(project), Is.Empty, "nothing ran");

        var (forgetCode, forgetOut, forgetErr) = await StateAppProcess.CommandAsync(project, Tasks, "forget", "--all");
        Assert.That(forgetCode, Is.EqualTo(0), string.Join('\n', forgetOut.Concat(forgetErr)));
        Assert.That(File.Exists(store), Is.False);

        var (againCode, againOut, againErr) = await StateAppProcess.RunAsync(project, Tasks, 1);
        Assert.That(againCode, Is.EqualTo(0), string.Join('\n', againOut.Concat(againErr)));
        Assert.That(StoreProbe.Executed(project), Is.EquivalentTo(StoreProbe.TaskNames(Tasks)), "every task runs again, once");
        var (integrity, recorded) = StoreProbe.Check(project);
        Assert.That(integrity, Is.EqualTo("ok"));
        Assert.That(recorded, Has.Count.EqualTo(Tasks));
    }

    [Test]
    public async Task An_empty_store_file_is_a_new_store()
    {
        var project = StoreProbe.NewProject(_root, "p");
        Directory.CreateDirectory(Path.GetDirectoryName(StoreProbe.StorePath(project))!);
        await File.WriteAllBytesAsync(StoreProbe.StorePath(project), []);

        var (code, output, errors) = await StateAppProcess.RunAsync(project, Tasks, 1);

        Assert.That(code, Is.EqualTo(0), string.Join('\n', output.Concat(errors)));
        Assert.That(StoreProbe.Check(project).Tasks, Has.Count.EqualTo(Tasks));
    }

    private static void Spoil(string store, Damage damage)
    {
        var random = new Random(Seed);
        var bytes = File.ReadAllBytes(store);
        switch (damage)
        {
            case Damage.GarbageOverTheWholeFile:
                random.NextBytes(bytes);
                break;

            case Damage.DamagedRecordBeforeTheLast:
                // The first record (after the 8-byte header and its 12-byte frame): one bit of its task name.
                bytes[8 + 12 + 3] ^= 0x10;
                break;

            case Damage.DamagedLengthBeforeTheLast:
                // The first record's length field, so that it points past the end of the file: not to be
                // mistaken for a record cut short by a crash, which would silently drop every later record.
                bytes[8 + 3] ^= 0x40;
                break;

            case Damage.ForeignSqliteDatabase:
                // Another program's SQLite database at the store's path: its 100-byte header, then an empty page.
                bytes = new byte[4096];
                Encoding.ASCII.GetBytes("SQLite format 3\0").CopyTo(bytes, 0);
                bytes[16] = 0x10; // page size 4096
                bytes[18] = bytes[19] = 1;
                break;

            case Damage.AnotherFormatVersion:
                Encoding.ASCII.GetBytes("ORCHST99").CopyTo(bytes, 0);
                break;

            case Damage.PlainTextFile:
                bytes = Encoding.UTF8.GetBytes("this is not a store\n");
                break;
        }

        File.WriteAllBytes(store, bytes);
    }
}
