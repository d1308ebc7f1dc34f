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

    /// <exception cref="InvalidDataException">The blob was not written by this version.</exception>
    public static (IReadOnlyList<FileStamp> Files, IReadOnlyDictionary<string, string> Values) Read(BinaryReader reader)
    {
        try
        {
            if (reader.ReadByte() != Version)
            {
                throw new InvalidDataException("unknown state format version");
            }

            var files = new FileStamp[reader.ReadInt32()];
            for (var i = 0; i < files.Length; i++)
            {
                files[i] = new FileStamp(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
            }

            var count = reader.ReadInt32();
            var values = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                values[reader.ReadString()] = reader.ReadString();
            }

            return (files, values);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("truncated task state", e);
        }
    }
}
