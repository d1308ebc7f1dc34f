using System.Text;
using Orchestrate.UpToDate;

namespace Orchestrate.Tests.UpToDate;

/// <summary>The hash that identifies a file dep's content: XXH64 under two seeds, checked against the reference
/// implementation's values, read whole and in pieces.</summary>
[TestFixture]
public class ContentHashTests
{
    // (input, XXH64 seed 0, XXH64 seed ContentHash.SecondSeed), from the reference xxHash implementation.
    private static readonly (byte[] Input, ulong First, ulong Second)[] Vectors =
    [
        ([], 0xEF46DB3751D8E999UL, 0xC4349FC93C010000UL),
        ("a"u8.ToArray(), 0xD24EC4F1A98C6E5BUL, 0x9A7C6D2EA45568C9UL),
        ("abc"u8.ToArray(), 0x44BC2CF5AD770999UL, 0x2ED0F59D6B43AC8BUL),
        ([.. Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 5).SelectMany(b => b)], 0xAFC184AD7938A354UL, 0xF03DBAC0C446097EUL),
    ];

    [Test]
    public void Each_half_is_xxh64_as_the_reference_computes_it()
    {
        foreach (var (input, first, second) in Vectors)
        {
            Assert.That(ContentHash.Xxh64Of(input, 0), Is.EqualTo(first), $"{input.Length} bytes, seed 0");
            Assert.That(ContentHash.Xxh64Of(input, ContentHash.SecondSeed), Is.EqualTo(second), $"{input.Length} bytes, second seed");
            Assert.That(ContentHash.Of(input), Is.EqualTo($"{first:x16}{second:x16}"));
        }
    }

    [Test]
    public void A_file_read_in_pieces_hashes_as_its_bytes_do()
    {
        var random = new Random(11);
        var path = Path.GetTempFileName();
        try
        {
            // Lengths around the 32-byte stripe and the 64 KB read buffer.
            foreach (var length in new[] { 0, 1, 31, 32, 33, 65535, 65536, 65537, 200_003 })
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                Assert.That(ContentHash.OfFile(path), Is.EqualTo(ContentHash.Of(bytes)), $"{length} bytes");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void One_changed_byte_changes_the_hash()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('x', 1000));
        var before = ContentHash.Of(bytes);
        bytes[500] = (byte)'y';
        Assert.That(ContentHash.Of(bytes), Is.Not.EqualTo(before));
        Assert.That(before, Has.Length.EqualTo(32));
    }
}
