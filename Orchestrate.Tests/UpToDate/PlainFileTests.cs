using Orchestrate.UpToDate;

namespace Orchestrate.Tests.UpToDate;

/// <summary>The lock, owner and store files are opened with libc's open (PlainFile): they must lock and fail as
/// FileStream does, since the run lock and its messages rely on it.</summary>
[TestFixture]
public class PlainFileTests
{
    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("orchestrate-plainfile-").FullName;

    [TearDown]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Test]
    public void An_exclusive_open_holds_off_a_second_one_until_it_is_closed_and_a_shared_open_holds_off_an_exclusive_one()
    {
        var path = Path.Combine(_root, "lock");
        var first = PlainFile.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var second = Assert.Throws<IOException>(() => PlainFile.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        var fromDotNet = Assert.Throws<IOException>(() => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        first.Dispose();
        using (PlainFile.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
        }

        using var shared = PlainFile.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1);
        Assert.Throws<IOException>(() => PlainFile.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());

        Assert.That(second!.Message, Does.Contain(path));
        Assert.That(fromDotNet, Is.Not.Null, "FileStream sees the same lock");
    }

    [Test]
    public void A_missing_file_or_directory_fails_as_FileStream_fails()
    {
        Assert.Throws<FileNotFoundException>(() => PlainFile.Open(Path.Combine(_root, "absent"), FileMode.Open, FileAccess.Read, FileShare.Read));
        Assert.Throws<DirectoryNotFoundException>(() => PlainFile.Open(Path.Combine(_root, "no", "such"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        Assert.That(PlainFile.TryReadText(Path.Combine(_root, "absent")), Is.Null);
    }

    [Test]
    public void Text_written_is_read_back_whole_and_a_rewrite_replaces_it()
    {
        var path = Path.Combine(_root, "owner");
        PlainFile.WriteAllText(path, "pid 1234, `a longer first line`, since 10:00:00 UTC");
        PlainFile.WriteAllText(path, "pid 5, `é`");

        Assert.That(PlainFile.TryReadText(path), Is.EqualTo("pid 5, `é`"));
        Assert.That(File.ReadAllText(path), Is.EqualTo("pid 5, `é`"));
    }

    [Test]
    public void A_kernel_file_that_reports_no_size_is_read_to_its_end()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("Linux's /proc");
        }

        var status = PlainFile.TryReadText("/proc/self/status");

        Assert.That(new FileInfo("/proc/self/status").Length, Is.Zero);
        Assert.That(status, Does.StartWith("Name:").And.Contain("\nPid:"));
    }

    [Test]
    public void A_store_opened_this_way_is_written_and_read_through_its_stream()
    {
        var path = Path.Combine(_root, "store");
        using (var stream = PlainFile.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1))
        {
            stream.Write("abc"u8);
            stream.Seek(0, SeekOrigin.Begin);
            var buffer = new byte[3];
            stream.ReadExactly(buffer);
            stream.SetLength(2);
            Assert.That(buffer, Is.EqualTo("abc"u8.ToArray()));
        }

        Assert.That(File.ReadAllText(path), Is.EqualTo("ab"));
    }
}
