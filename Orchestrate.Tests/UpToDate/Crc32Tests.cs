using System.Text;
using Orchestrate.UpToDate;

namespace Orchestrate.Tests.UpToDate;

/// <summary>The state store's record checksum: CRC-32 (IEEE), as stores written by earlier versions carry it.</summary>
[TestFixture]
public class Crc32Tests
{
    [Test]
    public void The_check_value_of_the_standard_is_met()
    {
        Assert.That(Crc32.Compute(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(0xCBF43926u));
        Assert.That(Crc32.Compute([]), Is.EqualTo(0u));
    }

    [Test]
    public void Every_length_and_alignment_gives_what_one_bit_at_a_time_gives()
    {
        var random = new Random(7);
        var data = new byte[300];
        random.NextBytes(data);
        for (var start = 0; start < 9; start++)
        {
            for (var length = 0; start + length <= data.Length; length += 1 + (length / 8))
            {
                var slice = data.AsSpan(start, length);
                Assert.That(Crc32.Compute(slice), Is.EqualTo(Bitwise(slice)), $"start {start}, length {length}");
            }
        }
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
