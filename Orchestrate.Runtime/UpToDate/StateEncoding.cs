namespace Orchestrate.UpToDate;

/// <summary>The compact binary form of a task's file stamps and rule values in a state record.</summary>
internal static class StateEncoding
{
    private const byte Version = 1;

    public static void Write(BinaryWriter writer, TaskState state)
    {
        {
            writer.Write(Version);
            writer.Write(state.FileDeps.Count);
            foreach (var file in state.FileDeps)
            {
                writer.Write(file.Path);
                writer.Write(file.Size);
                writer.Write(file.ModifiedTicks);
                writer.Write(file.Hash);
            }

            writer.Write(state.Values.Count);
            foreach (var (key, value) in state.Values)
            {
                writer.Write(key);
                writer.Write(value);
            }
        }
    }

    private static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>();

    /// <summary>Reads the format version; false when it is not this one.</summary>
    public static bool SkipVersion(ref SpanReader reader) => reader.Byte() == Version;

    /// <exception cref="InvalidDataException">The blob was not written by this version.</exception>
    public static (IReadOnlyList<FileStamp> Files, IReadOnlyDictionary<string, string> Values) Read(ref SpanReader reader)
    {
        if (reader.Byte() != Version)
        {
            throw new InvalidDataException("unknown state format version");
        }

        var files = new FileStamp[reader.Count()];
        for (var i = 0; i < files.Length; i++)
        {
            files[i] = new FileStamp(reader.String(), reader.Int64(), reader.Int64(), reader.String());
        }

        var count = reader.Count();
        if (count == 0)
        {
            return (files, NoValues);
        }

        var values = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            values[reader.String()] = reader.String();
        }

        return (files, values);
    }
}

/// <summary>Reads what a <see cref="BinaryWriter"/> wrote (little-endian numbers, 7-bit encoded lengths, UTF-8
/// strings) from a span, allocating only the strings.</summary>
internal ref struct SpanReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _at;

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _at;

    public byte Byte() => _at < _data.Length ? _data[_at++] : throw Truncated();

    public long Int64()
    {
        if (_data.Length - _at < 8)
        {
            throw Truncated();
        }

        var value = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(_data[_at..]);
        _at += 8;
        return value;
    }

    /// <summary>A non-negative count written with <see cref="BinaryWriter.Write(int)"/>.</summary>
    public int Count()
    {
        if (_data.Length - _at < 4)
        {
            throw Truncated();
        }

        var value = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_data[_at..]);
        _at += 4;
        return value >= 0 && value <= _data.Length ? value : throw new InvalidDataException($"bad count {value}");
    }

    /// <summary>The UTF-8 bytes of the next string, without making it.</summary>
    public ReadOnlySpan<byte> StringBytes()
    {
        var length = Length();
        var bytes = _data.Slice(_at, length);
        _at += length;
        return bytes;
    }

    public string String() => System.Text.Encoding.UTF8.GetString(StringBytes());

    // A string's 7-bit encoded byte count, checked against what is left.
    private int Length()
    {
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 28)
            {
                throw new InvalidDataException("bad string length");
            }

            var b = Byte();
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        return length < 0 || _data.Length - _at < length ? throw Truncated() : length;
    }

    private static InvalidDataException Truncated() => new("truncated task state");
}
