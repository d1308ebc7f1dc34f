namespace Orchestrate.UpToDate;

/// <summary>What a file dep looked like when its task last started a successful run.</summary>
/// <param name="Path">As declared (or as matched by a glob), relative to the project directory.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="ModifiedTicks">Last write time, UTC ticks: when size and time are unchanged the content is not read again.</param>
/// <param name="Hash">SHA-256 of the content, first 16 bytes, as hex.</param>
public sealed record FileStamp(string Path, long Size, long ModifiedTicks, string Hash);

/// <summary>What the store remembers of a task's last success.</summary>
/// <param name="SucceededAt">When it last succeeded.</param>
/// <param name="Result">The value its method returned, as JSON (null when it returned nothing).</param>
/// <param name="FileDeps">Its file deps as they were when that run started, sorted by path.</param>
/// <param name="Values">Values of its up-to-date rules (config hashes, other tasks' result hashes, timestamps).</param>
public sealed record TaskState(DateTimeOffset SucceededAt, string? Result, IReadOnlyList<FileStamp> FileDeps, IReadOnlyDictionary<string, string> Values);
