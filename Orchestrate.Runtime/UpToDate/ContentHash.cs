using System.Buffers.Binary;
using System.Numerics;

namespace Orchestrate.UpToDate;

/// <summary>
/// What identifies a file dep's content between runs: XXH64 (the 64-bit xxHash algorithm) under two seeds, 128 bits,
/// as 32 hexadecimal digits. Not a cryptographic hash: it tells a changed file from an unchanged one, as doit's MD5
/// checker does, nothing more. Managed code on purpose: .NET's SHA-256 loads OpenSSL, which cost ~15-20 ms of every
/// run that hashed a file (the run after one file changed), more than hashing the file.
/// </summary>
internal static class ContentHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime5 = 0x27D4EB2F165667C5UL;

    /// <summary>The second seed (the first is 0).</summary>
    internal const ulong SecondSeed = 0x9E3779B97F4A7C15UL;

    private const int Stripe = 32;

    /// <summary>The hash of a file's content.</summary>
    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        var first = new Xxh64(0);
        var second = new Xxh64(SecondSeed);
        var buffer = new byte[64 * 1024];
        var held = 0;
        int read;
        while ((read = stream.Read(buffer, held, buffer.Length - held)) > 0)
        {
            held += read;
            var whole = held - (held % Stripe);
            first.Stripes(buffer.AsSpan(0, whole));
            second.Stripes(buffer.AsSpan(0, whole));
            buffer.AsSpan(whole, held - whole).CopyTo(buffer);
            held -= whole;
        }

        return Format(first.Finish(buffer.AsSpan(0, held)), second.Finish(buffer.AsSpan(0, held)));
    }

    /// <summary>The hash of some bytes.</summary>
    public static string Of(ReadOnlySpan<byte> data) => Format(Xxh64Of(data, 0), Xxh64Of(data, SecondSeed));

    /// <summary>XXH64 of some bytes under a seed (one half of <see cref="Of"/>).</summary>
    internal static ulong Xxh64Of(ReadOnlySpan<byte> data, ulong seed)
    {
        var whole = data.Length - (data.Length % Stripe);
        var state = new Xxh64(seed);
        state.Stripes(data[..whole]);
        return state.Finish(data[whole..]);
    }

    // Hex digits by hand: Convert.ToHexStringLower's vectorized path is compiled at run time on every start (ReadyToRun
    // does not keep it), ~1.5 ms of the first run after a file changed.
    private static string Format(ulong first, ulong second)
    {
        Span<char> chars = stackalloc char[32];
        for (var i = 0; i < 16; i++)
        {
            chars[15 - i] = Digit((int)(first >> (4 * i)) & 0xF);
            chars[31 - i] = Digit((int)(second >> (4 * i)) & 0xF);
        }

        return new string(chars);
    }

    private static char Digit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private struct Xxh64(ulong seed)
    {
        private readonly ulong _seed = seed;
        private ulong _v1 = seed + Prime1 + Prime2;
        private ulong _v2 = seed + Prime2;
        private ulong _v3 = seed;
        private ulong _v4 = seed - Prime1;
        private ulong _length;

        // Whole 32-byte stripes only.
        public void Stripes(ReadOnlySpan<byte> data)
        {
            _length += (ulong)data.Length;
            for (; data.Length >= Stripe; data = data[Stripe..])
            {
                _v1 = Round(_v1, BinaryPrimitives.ReadUInt64LittleEndian(data));
                _v2 = Round(_v2, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
                _v3 = Round(_v3, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
                _v4 = Round(_v4, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
            }
        }

        // The last bytes (fewer than a stripe), then the final mix.
        public readonly ulong Finish(ReadOnlySpan<byte> tail)
        {
            var hash = _length >= Stripe
                ? Merge(Merge(Merge(Merge(BitOperations.RotateLeft(_v1, 1) + BitOperations.RotateLeft(_v2, 7) + BitOperations.RotateLeft(_v3, 12) + BitOperations.RotateLeft(_v4, 18), _v1), _v2), _v3), _v4)
                : _seed + Prime5;
            hash += _length + (ulong)tail.Length;
            for (; tail.Length >= 8; tail = tail[8..])
            {
                hash ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(tail));
                hash = (BitOperations.RotateLeft(hash, 27) * Prime1) + Prime4;
            }

            if (tail.Length >= 4)
            {
                hash ^= BinaryPrimitives.ReadUInt32LittleEndian(tail) * Prime1;
                hash = (BitOperations.RotateLeft(hash, 23) * Prime2) + Prime3;
                tail = tail[4..];
            }

            foreach (var b in tail)
            {
                hash ^= b * Prime5;
                hash = BitOperations.RotateLeft(hash, 11) * Prime1;
            }

            hash ^= hash >> 33;
            hash *= Prime2;
            hash ^= hash >> 29;
            hash *= Prime3;
            hash ^= hash >> 32;
            return hash;
        }

        private static ulong Round(ulong accumulator, ulong input) => BitOperations.RotateLeft(accumulator + (input * Prime2), 31) * Prime1;

        private static ulong Merge(ulong hash, ulong accumulator) => ((hash ^ Round(0, accumulator)) * Prime1) + Prime4;
    }
}
