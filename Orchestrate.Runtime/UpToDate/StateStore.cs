using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace Orchestrate.UpToDate;

/// <summary>
/// Remembers each task's last success in <c>.orchestrate/state.log</c> under the project directory: an
/// append-only log of checksummed records (a success, a forget, an ignore), read whole when the store
/// opens. A success is appended the moment its task ends, through one writer that groups the records of
/// tasks ending together into one write, and the task counts as done only once its record is written.
/// A process killed with <c>kill -9</c> loses only the tasks still running: its last record may be torn,
/// and a torn record at the end is dropped (and cut off) when the store is next opened. A damaged
/// record anywhere else makes the store unusable, with <c>forget --all</c> as the way out. Paths are
/// stored relative to the project, so the store survives a move of the checkout.
/// </summary>
/// <remarks>
/// Why not SQLite: loading the state of ten thousand tasks must take a few milliseconds for a no-op run
/// to stay far below doit's; opening SQLite from .NET alone costs tens of milliseconds, and reading
/// rows through ADO.NET several microseconds each. A log read in one pass costs well under one.
/// </remarks>
public sealed class StateStore : IAsyncDisposable
{
    /// <summary>The folder, under the project directory, that holds the store and the run lock.</summary>
    public const string DirectoryName = ".orchestrate";

    private const string FileName = "state.log";
    private const int HeaderSize = 8;
    private const int FrameSize = 12;
    private const int MaxBatch = 1024;
    private const long CompactAbove = 4 << 20;
    private static readonly byte[] Header = "ORCHST02"u8.ToArray();

    private readonly FileStream _file;
    // The successes as the file held them when the store opened: read-only after that, so a plain table (a concurrent
    // one cost a lock and a node object per task to fill, on the path of every run). What this run records goes to
    // _changed, which lookups read first once it holds anything; null there: no longer a success (forgotten, failed).
    private readonly Dictionary<string, StoredState> _loaded;
    private readonly ConcurrentDictionary<string, StoredState?> _changed = new(StringComparer.Ordinal);
    private volatile bool _anyChange;
    private readonly ConcurrentDictionary<string, bool> _ignored;
    private readonly ConcurrentDictionary<string, bool> _failed;
    // Writes waiting to be written; _writing is 1 while a thread writes them (see Drain), and only that thread uses
    // the batch and the buffer.
    private readonly ConcurrentQueue<PendingWrite> _writes = new();
    private readonly List<PendingWrite> _batch = new(MaxBatch);
    private readonly MemoryStream _buffer = new();
    private int _writing;
    private volatile bool _closed;

    private StateStore(string path, FileStream file, LoadedState state)
    {
        Path = path;
        _file = file;
        _loaded = state.States;
        _ignored = state.Ignored;
        _failed = state.Failed;
    }

    /// <summary>The store's file.</summary>
    public string Path { get; }

    /// <summary>Number of tasks with a recorded success.</summary>
    public int Count => Successes().Count();

    /// <summary>Bytes of a last record cut short (by a killed run) that opening the store dropped.</summary>
    public int DroppedBytes { get; private init; }

    /// <summary>The store's file for a project.</summary>
    public static string PathFor(string projectDirectory) => System.IO.Path.Combine(projectDirectory, DirectoryName, FileName);

    /// <summary>Opens (or creates) the project's store and loads it. Call with the project's <see cref="RunLock"/> held:
    /// a torn last record is cut off, and a log mostly made of superseded records is compacted.</summary>
    /// <exception cref="StateStoreException">The file is damaged or not an Orchestrate store.</exception>
    public static StateStore Open(string projectDirectory)
    {
        var path = PathFor(projectDirectory);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FileStream file;
        try
        {
            file = PlainFile.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateStoreException($"cannot open the state store {path}: {e.Message}", e);
        }

        try
        {
            var bytes = ReadAll(file);
            if (bytes.Length == 0)
            {
                file.Write(Header);
                file.Flush();
                return new StateStore(path, file, new LoadedState());
            }

            var state = Parse(bytes, path);
            var dropped = bytes.Length - state.ValidLength;
            if (dropped > 0)
            {
                file.SetLength(state.ValidLength); // a record torn by a crash
            }

            if (state.ValidLength > CompactAbove && state.Live * 2 < state.Records)
            {
                file.Dispose();
                Compact(path, state);
                file = PlainFile.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1);
            }

            file.Seek(0, SeekOrigin.End);
            return new StateStore(path, file, state) { DroppedBytes = dropped };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the project's store without changing it: whether it is intact, and the tasks with a recorded success.</summary>
    public static StateInspection Inspect(string projectDirectory)
    {
        var path = PathFor(projectDirectory);
        if (!File.Exists(path))
        {
            return new StateInspection(true, null, new HashSet<string>(), 0);
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0)
            {
                return new StateInspection(true, null, new HashSet<string>(), 0);
            }

            var state = Parse(bytes, path);
            return new StateInspection(true, null, state.States.Keys.ToHashSet(StringComparer.Ordinal), bytes.Length - state.ValidLength);
        }
        catch (StateStoreException e)
        {
            return new StateInspection(false, e.Message, new HashSet<string>(), 0);
        }
    }

    /// <summary>Deletes the project's store (every task will run again).</summary>
    public static void Delete(string projectDirectory)
    {
        var path = PathFor(projectDirectory);
        File.Delete(path);
        File.Delete(path + ".tmp");
    }

    /// <summary>The task's last success, if it has one.</summary>
    public bool TryGet(string task, out TaskState state)
    {
        if (TryFind(task, out var stored))
        {
            state = stored.Get();
            return true;
        }

        state = null!;
        return false;
    }

    private bool TryFind(string task, out StoredState stored)
    {
        if (_anyChange && _changed.TryGetValue(task, out var changed))
        {
            stored = changed!;
            return changed is not null;
        }

        return _loaded.TryGetValue(task, out stored!);
    }

    // The tasks with a recorded success now.
    private IEnumerable<string> Successes() =>
        _loaded.Keys.Where(task => !_changed.ContainsKey(task)).Concat(_changed.Where(change => change.Value is not null).Select(change => change.Key));

    /// <summary>
    /// True when the task has a recorded success whose file deps are exactly <paramref name="paths"/>, each with the
    /// size and modification time it has now, and no rule values: the no-op case of a plain file task, answered from
    /// the loaded bytes without making the task's state (no strings, no objects). False means "look closer", not
    /// "out of date".
    /// </summary>
    public bool FilesAsRecorded(string task, string projectDirectory, IReadOnlyList<string> paths) =>
        FilesAsRecorded(task, projectDirectory, -1, paths);

    /// <summary><see cref="FilesAsRecorded(string, string, IReadOnlyList{string})"/>, the files looked up from a descriptor
    /// of the project directory (<see cref="UnixStat.OpenDirectory"/>; -1: by its path).</summary>
    internal bool FilesAsRecorded(string task, string projectDirectory, int directoryDescriptor, IReadOnlyList<string> paths) =>
        TryFind(task, out var stored) && stored.FilesAsRecorded(projectDirectory, directoryDescriptor, paths);

    /// <summary>True when the task was set aside with <c>ignore</c>.</summary>
    // ContainsKey takes no lock; IsEmpty, on an empty dictionary, takes all of them (and starts an event source).
    public bool IsIgnored(string task) => _ignored.ContainsKey(task);

    /// <summary>The tasks whose name starts with <paramref name="prefix"/> that the store knows (a recorded success,
    /// an ignore mark or a failure), sorted: the sub-tasks of a group created while a run went, for the commands
    /// outside a run.</summary>
    public IReadOnlyList<string> TasksStartingWith(string prefix) =>
        [.. Successes().Concat(_ignored.Keys).Concat(_failed.Keys)
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>Records a success; completes once it is written.</summary>
    public Task SaveAsync(string task, TaskState state) => Enqueue(new PendingWrite(RecordKind.Save, task, state));

    /// <summary>
    /// Records the new sizes and times of an up-to-date task's touched file deps (<see cref="UpToDateDecision.Refreshed"/>),
    /// without waiting for the write. Only a shortcut rides on it: if the write fails, the next run reads those files
    /// again, and the failure shows on the run's next write.
    /// </summary>
    public void Refresh(string task, TaskState state) =>
        _ = Enqueue(new PendingWrite(RecordKind.Save, task, state)).ContinueWith(
            static write => _ = write.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Drops a task's recorded success (and its ignore mark), so that it runs again.</summary>
    public Task ForgetAsync(string task) => Enqueue(new PendingWrite(RecordKind.Forget, task, null));

    /// <summary>Drops a task's recorded success after it failed, remembering that it failed (for the reason shown next time).</summary>
    public Task RecordFailureAsync(string task) => Enqueue(new PendingWrite(RecordKind.Failed, task, null));

    /// <summary>True when the task's last run failed (and it has not succeeded or been forgotten since).</summary>
    public bool LastRunFailed(string task) => _failed.ContainsKey(task);

    /// <summary>Marks a task ignored: runs skip it until it is forgotten.</summary>
    public Task IgnoreAsync(string task) => Enqueue(new PendingWrite(RecordKind.Ignore, task, null));

    /// <summary>Writes what is pending and closes the file.</summary>
    public ValueTask DisposeAsync()
    {
        _closed = true;
        // What is queued is written; a write still being written by another thread is waited for.
        var spin = new SpinWait();
        while (!_writes.IsEmpty || Volatile.Read(ref _writing) != 0)
        {
            Drain();
            spin.SpinOnce();
        }

        _file.Dispose();
        return default;
    }

    private Task Enqueue(PendingWrite write)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _writes.Enqueue(write);
        Drain();
        return write.Done.Task;
    }

    // The thread that records a write writes the queue itself when no other thread is writing: a write costs no
    // thread hop, and a run that records one success starts no thread-pool work for it. While one thread writes, the
    // others queue behind it, and it writes theirs too, a batch per write call.
    private void Drain()
    {
        // Looked at again after the flag is cleared: a write queued while it was held is written by the next turn.
        while (!_writes.IsEmpty && Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            try
            {
                WriteQueued();
            }
            finally
            {
                // A full fence, not a plain release: the look at the queue that follows must not be made before the
                // flag is seen cleared, or a write queued meanwhile by a thread that found the flag held would wait
                // for nobody.
                Interlocked.Exchange(ref _writing, 0);
            }
        }
    }

    private void WriteQueued()
    {
        var batch = _batch;
        var buffer = _buffer;
        while (true)
        {
            batch.Clear();
            buffer.SetLength(0);
            try
            {
                while (batch.Count < MaxBatch && _writes.TryDequeue(out var write))
                {
                    batch.Add(write);
                    AppendRecord(buffer, write.Kind, write.Task, write.State);
                }

                if (batch.Count == 0)
                {
                    return;
                }

                // One write for the whole batch: once it returns, the records survive the death of this
                // process (they are in the kernel's page cache), which is what a killed run needs.
                _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                _file.Flush();
                foreach (var write in batch)
                {
                    Record(write.Kind, write.Task, write.State is null ? null : new StoredState(write.State));
                    write.Done.TrySetResult();
                }
            }
            catch (Exception e)
            {
                var failure = new StateStoreException($"cannot record task state in {Path}: {e.Message}", e);
                foreach (var write in batch)
                {
                    write.Done.TrySetException(failure);
                }
            }
        }
    }

    // What a record written by this run changes (the writing thread only: one at a time).
    private void Record(RecordKind kind, string task, StoredState? state)
    {
        switch (kind)
        {
            case RecordKind.Save:
                _anyChange = true;
                _changed[task] = state;
                Drop(_failed, task);
                break;
            case RecordKind.Ignore:
                _ignored[task] = true;
                break;
            case RecordKind.Failed:
                _anyChange = true;
                _changed[task] = null;
                _failed[task] = true;
                break;
            default:
                _anyChange = true;
                _changed[task] = null;
                Drop(_ignored, task);
                Drop(_failed, task);
                break;
        }
    }

    // What a record read from the file does to the loaded state; returns the change in the number of tasks with a
    // recorded success.
    private static int Apply(LoadedState loaded, RecordKind kind, string task, StoredState? state)
    {
        var live = 0;
        switch (kind)
        {
            case RecordKind.Save:
                if (loaded.States.TryAdd(task, state!))
                {
                    live = 1;
                }
                else
                {
                    loaded.States[task] = state!;
                }

                Drop(loaded.Failed, task);
                break;
            case RecordKind.Ignore:
                loaded.Ignored[task] = true;
                break;
            case RecordKind.Failed:
                live = loaded.States.Remove(task) ? -1 : 0;
                loaded.Failed[task] = true;
                break;
            default:
                live = loaded.States.Remove(task) ? -1 : 0;
                Drop(loaded.Ignored, task);
                Drop(loaded.Failed, task);
                break;
        }

        return live;
    }

    private static bool Drop<T>(ConcurrentDictionary<string, T> dictionary, string task) =>
        dictionary.ContainsKey(task) && dictionary.TryRemove(task, out _);

    private static void AppendRecord(MemoryStream buffer, RecordKind kind, string task, TaskState? state)
    {
        // Frame: payload length, its complement (a damaged length is told from a record cut short by a
        // crash), and the payload's CRC-32.
        var start = buffer.Length;
        buffer.Write(stackalloc byte[FrameSize]);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)kind);
            writer.Write(task);
            if (state is not null)
            {
                writer.Write(state.SucceededAt.ToUnixTimeMilliseconds());
                writer.Write(state.Result is not null);
                if (state.Result is not null)
                {
                    writer.Write(state.Result);
                }

                StateEncoding.Write(writer, state);
            }
        }

        var payload = buffer.GetBuffer().AsSpan((int)start + FrameSize, (int)(buffer.Length - start - FrameSize));
        var frame = buffer.GetBuffer().AsSpan((int)start, FrameSize);
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(frame[4..], ~payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[8..], Crc32.Compute(payload));
    }

    private static ReadOnlyMemory<byte> ReadAll(FileStream file)
    {
        var length = checked((int)file.Length);
        if (MappedFile.TryMap(file.SafeFileHandle, length) is { } mapped)
        {
            return mapped.Memory;
        }

        // Not zeroed first: the read fills it all.
        var bytes = GC.AllocateUninitializedArray<byte>(length);
        file.ReadExactly(bytes);
        return bytes;
    }

    private static LoadedState Parse(ReadOnlyMemory<byte> memory, string path)
    {
        var bytes = memory.Span;
        if (bytes.Length < HeaderSize || !bytes[..HeaderSize].SequenceEqual(Header))
        {
            throw Unusable(path, bytes.Length >= 6 && bytes[..6].SequenceEqual("ORCHST"u8)
                ? "it was written by another version of Orchestrate"
                : "it is not an Orchestrate state store");
        }

        // About a hundred bytes a record: sized once, the table does not grow while the log is read.
        var state = new LoadedState(bytes.Length / 96);
        var position = HeaderSize;
        while (position < bytes.Length)
        {
            var remaining = bytes.Length - position;
            if (remaining < FrameSize)
            {
                break; // the last record's frame was cut short: a crash while appending
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
            if (length < 0 || ~length != BinaryPrimitives.ReadInt32LittleEndian(bytes[(position + 4)..]))
            {
                throw Unusable(path, $"the record at byte {position} is damaged");
            }

            if (length > remaining - FrameSize)
            {
                break; // the last record was cut short
            }

            var payload = bytes.Slice(position + FrameSize, length);
            if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 8)..]))
            {
                if (position + FrameSize + length == bytes.Length)
                {
                    break; // a torn last record
                }

                throw Unusable(path, $"the record at byte {position} is damaged");
            }

            try
            {
                ReadRecord(state, memory.Slice(position + FrameSize, length));
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException)
            {
                throw Unusable(path, $"a record at byte {position} cannot be read ({e.Message})");
            }

            position += FrameSize + length;
        }

        state.ValidLength = position;
        return state;
    }

    private static void ReadRecord(LoadedState state, ReadOnlyMemory<byte> record)
    {
        var reader = new SpanReader(record.Span);
        var kind = (RecordKind)reader.Byte();
        var task = reader.String();
        StoredState? stored = null;
        if (kind == RecordKind.Save)
        {
            // Parsed when the task is checked: a run that touches a part of the graph reads only that part.
            stored = new StoredState(record[reader.Position..]);
        }
        else if (kind is not (RecordKind.Forget or RecordKind.Ignore or RecordKind.Failed))
        {
            throw new InvalidDataException($"unknown record kind {(int)kind}");
        }

        state.Live += Apply(state, kind, task, stored);
        state.Records++;
    }

    private static void Compact(string path, LoadedState state)
    {
        var temporary = path + ".tmp";
        using (var buffer = new MemoryStream())
        {
            buffer.Write(Header);
            foreach (var (task, stored) in state.States)
            {
                AppendRecord(buffer, RecordKind.Save, task, stored.Get());
            }

            foreach (var task in state.Ignored.Keys)
            {
                AppendRecord(buffer, RecordKind.Ignore, task, null);
            }

            foreach (var task in state.Failed.Keys)
            {
                AppendRecord(buffer, RecordKind.Failed, task, null);
            }

            using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static StateStoreException Unusable(string path, string why) =>
        new($"the state store {path} cannot be used: {why}. Run 'forget --all' to start afresh (every task will run again), or remove the file");

    private enum RecordKind : byte
    {
        Save = 1,
        Forget = 2,
        Ignore = 3,
        Failed = 4,
    }

    private sealed class LoadedState(int capacity = 31)
    {
        public Dictionary<string, StoredState> States { get; } = new(capacity, StringComparer.Ordinal);

        public ConcurrentDictionary<string, bool> Ignored { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, bool> Failed { get; } = new(StringComparer.Ordinal);

        /// <summary>Records read.</summary>
        public int Records { get; set; }

        /// <summary>Records still in force (what a compacted log would hold): counted as they are applied.</summary>
        public int Live { get; set; }

        public int ValidLength { get; set; } = HeaderSize;
    }

    /// <summary>A task's state as recorded: parsed from the loaded file on first use.</summary>
    private sealed class StoredState
    {
        // The record's bytes as loaded (empty: recorded by this run, _state has it).
        private readonly ReadOnlyMemory<byte> _bytes;
        private TaskState? _state;

        public StoredState(TaskState state) => _state = state;

        public StoredState(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

        // Parsing twice on a race gives the same value: no lock needed.
        public TaskState Get() => _state ??= Parse();

        [SkipLocalsInit]
        public bool FilesAsRecorded(string projectDirectory, int directoryDescriptor, IReadOnlyList<string> paths)
        {
            if (_bytes.IsEmpty)
            {
                return false; // recorded by this run: Get() has it
            }

            try
            {
                var reader = new SpanReader(_bytes.Span);
                reader.Int64();
                if (reader.Byte() != 0)
                {
                    reader.StringBytes();
                }

                if (!StateEncoding.SkipVersion(ref reader) || reader.Count() != paths.Count)
                {
                    return false;
                }

                Span<byte> expected = stackalloc byte[512];
                for (var p = 0; p < paths.Count; p++)
                {
                    var path = paths[p];
                    var recorded = reader.StringBytes();
                    var size = reader.Int64();
                    var ticks = reader.Int64();
                    reader.StringBytes();
                    // The recorded bytes are the path's own once compared: the stat takes them as they are.
                    if (Encoding.UTF8.GetMaxByteCount(path.Length) > expected.Length
                        || !recorded.SequenceEqual(expected[..Encoding.UTF8.GetBytes(path, expected)])
                        || !UnixStat.TryStatFile(projectDirectory, directoryDescriptor, recorded, out var nowSize, out var nowTicks)
                        || nowSize != size || nowTicks != ticks)
                    {
                        return false;
                    }
                }

                return reader.Count() == 0;
            }
            catch (InvalidDataException)
            {
                return false; // the full parse reports it
            }
            finally
            {
                GC.KeepAlive(this); // holds the mapped log while its bytes are read (MappedFile)
            }
        }

        private TaskState Parse()
        {
            // Read straight from the loaded bytes (the BinaryWriter layout: little-endian numbers, strings as a 7-bit
            // encoded byte count and UTF-8): a no-op run parses every record it checks, so no reader or stream is made.
            var reader = new SpanReader(_bytes.Span);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(reader.Int64());
            var result = reader.Byte() != 0 ? reader.String() : null;
            var (files, values) = StateEncoding.Read(ref reader);
            GC.KeepAlive(this); // holds the mapped log while its bytes are read (MappedFile)
            return new TaskState(at, result, files, values);
        }
    }

    private sealed record PendingWrite(RecordKind Kind, string Task, TaskState? State)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What <see cref="StateStore.Inspect"/> found.</summary>
/// <param name="Intact">False when a record other than the last is damaged, or the file is not a store.</param>
/// <param name="Problem">What is wrong, when not intact.</param>
/// <param name="Tasks">The tasks with a recorded success.</param>
/// <param name="TornBytes">Bytes of a torn last record, dropped when the store is next opened.</param>
public sealed record StateInspection(bool Intact, string? Problem, IReadOnlySet<string> Tasks, int TornBytes);
