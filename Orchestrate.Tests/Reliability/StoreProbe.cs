using System.Buffers.Binary;
using System.Text;
using Orchestrate.UpToDate;

namespace Orchestrate.Tests.Reliability;

/// <summary>Reads a project's state store and files the way a test checks them after a crash.</summary>
internal static class StoreProbe
{
    public static string StorePath(string project) => StateStore.PathFor(project);

    /// <summary>
    /// Checks the store without changing it (the next run must find it exactly as the dead process
    /// left it): the runtime's own inspection, and an independent walk over the log's frames (header,
    /// then records of [length][~length][CRC-32][kind, name, ...]; kinds: 1 success, 2 forget, 3 ignore, 4 failure) in which only the last record may be torn.
    /// Returns "ok" or what is wrong, and the tasks with a recorded success.
    /// </summary>
    public static (string Integrity, IReadOnlySet<string> Tasks) Check(string project)
    {
        var inspection = StateStore.Inspect(project);
        if (!inspection.Intact)
        {
            return ($"Inspect: {inspection.Problem}", inspection.Tasks);
        }

        var walked = Walk(StorePath(project));
        if (walked.Problem is not null)
        {
            return (walked.Problem, inspection.Tasks);
        }

        if (!walked.Saved.SetEquals(inspection.Tasks))
        {
            return ($"Inspect found [{string.Join(' ', inspection.Tasks.Order())}] but the records say [{string.Join(' ', walked.Saved.Order())}]", inspection.Tasks);
        }

        return ("ok", inspection.Tasks);
    }

    private static (string? Problem, HashSet<string> Saved) Walk(string path)
    {
        var saved = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return (null, saved);
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
        {
            return (null, saved);
        }

        if (bytes.Length < 8 || Encoding.ASCII.GetString(bytes, 0, 8) != "ORCHST02")
        {
            return ("the header is not ORCHST02", saved);
        }

        var position = 8;
        while (position < bytes.Length)
        {
            var remaining = bytes.Length - position;
            if (remaining < 12)
            {
                return (null, saved); // torn last frame
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
            if (length < 0 || ~length != BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position + 4)))
            {
                return ($"the frame at byte {position} is damaged", saved);
            }

            if (length > remaining - 12)
            {
                return (null, saved); // torn last record
            }

            var payload = bytes.AsSpan(position + 12, length);
            if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 8)))
            {
                return position + 12 + length == bytes.Length ? (null, saved) : ($"the record at byte {position} fails its checksum", saved);
            }

            using var reader = new BinaryReader(new MemoryStream(payload.ToArray()), Encoding.UTF8);
            var kind = reader.ReadByte();
            var name = reader.ReadString();
            switch (kind)
            {
                case 1: saved.Add(name); break; // success
                case 2 or 4: saved.Remove(name); break; // forget, failure
                case 3: break; // ignore
                default: return ($"the record at byte {position} has kind {kind}", saved);
            }

            position += 12 + length;
        }

        return (null, saved);
    }

    /// <summary>The task names in executed.log (whole lines only), in order.</summary>
    public static List<string> Executed(string project, string file = "executed.log")
    {
        var path = Path.Combine(project, file);
        if (!File.Exists(path))
        {
            return [];
        }

        var text = File.ReadAllText(path);
        // A line cut short by a kill has no newline: the task did not get further than that append.
        var whole = text.EndsWith('\n') ? text : text[..(text.LastIndexOf('\n') + 1)];
        return [.. whole.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Names printed as <c>ok name (…)</c>: tasks the run reported finished.</summary>
    public static HashSet<string> ReportedOk(IEnumerable<string> output) =>
        output.Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^ok (t\d{4}) \("))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);

    public static IEnumerable<string> TaskNames(int count) => Enumerable.Range(0, count).Select(i => $"t{i:D4}");

    public static string NewProject(string root, string name)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void DeleteQuietly(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
