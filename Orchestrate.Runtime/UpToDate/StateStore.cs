using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Orchestrate.UpToDate;

/// <summary>
/// Remembers each task's last success in <c>.orchestrate/state.db</c> under the project directory
/// (SQLite, WAL). Everything is loaded once when the store opens; a success is committed the moment
/// the task ends, through one writer that groups the commits of tasks ending together, and the task
/// counts as done only once its commit is on disk. A run killed with <c>kill -9</c> therefore loses
/// only the tasks still running. Paths are stored relative to the project, so the store survives a
/// move of the checkout.
/// </summary>
public sealed class StateStore : IAsyncDisposable
{
    /// <summary>The folder, under the project directory, that holds the store and the run lock.</summary>
    public const string DirectoryName = ".orchestrate";

    private const string FileName = "state.db";
    private const string Format = "orchestrate-state";
    private const string FormatVersion = "1";
    private const int MaxBatch = 512;

    private readonly SqliteConnection _connection;
    private readonly ConcurrentDictionary<string, TaskState> _states;
    private readonly ConcurrentDictionary<string, bool> _ignored;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    private StateStore(string path, SqliteConnection connection, ConcurrentDictionary<string, TaskState> states, ConcurrentDictionary<string, bool> ignored)
    {
        Path = path;
        _connection = connection;
        _states = states;
        _ignored = ignored;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The store's file.</summary>
    public string Path { get; }

    /// <summary>The store's file for a project.</summary>
    public static string PathFor(string projectDirectory) => System.IO.Path.Combine(projectDirectory, DirectoryName, FileName);

    /// <summary>Opens (or creates) the project's store and loads it.</summary>
    /// <exception cref="StateStoreException">The file is corrupt or not an Orchestrate store.</exception>
    public static StateStore Open(string projectDirectory)
    {
        var path = PathFor(projectDirectory);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            EnsureSchema(connection, path);
            var states = new ConcurrentDictionary<string, TaskState>(StringComparer.Ordinal);
            var ignored = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            Load(connection, states, ignored);
            return new StateStore(path, connection, states, ignored);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Unusable(path, e.SqliteErrorCode is 26 or 11 ? "it is not a valid database" : e.Message, e);
        }
        catch (Exception e) when (e is InvalidDataException or StateStoreException)
        {
            connection.Dispose();
            throw e as StateStoreException ?? Unusable(path, e.Message, e);
        }
    }

    /// <summary>Deletes the project's store (every task will run again).</summary>
    public static void Delete(string projectDirectory)
    {
        var path = PathFor(projectDirectory);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>The task's last success, if it has one.</summary>
    public bool TryGet(string task, out TaskState state) => _states.TryGetValue(task, out state!);

    /// <summary>True when the task was set aside with <c>ignore</c>.</summary>
    public bool IsIgnored(string task) => _ignored.ContainsKey(task);

    /// <summary>Number of tasks with a recorded success.</summary>
    public int Count => _states.Count;

    /// <summary>Records a success; completes once it is committed.</summary>
    public Task SaveAsync(string task, TaskState state)
    {
        var pending = new PendingWrite(task, state);
        _writes.Writer.TryWrite(pending);
        return pending.Done.Task;
    }

    /// <summary>Drops tasks' recorded successes (and their ignore marks), so that they run again.</summary>
    public Task ForgetAsync(string task) => Enqueue(new PendingWrite(task, null));

    /// <summary>Marks a task ignored: runs skip it until it is forgotten.</summary>
    public Task IgnoreAsync(string task) => Enqueue(new PendingWrite(task, null, Ignore: true));

    /// <summary>Commits what is pending and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private Task Enqueue(PendingWrite write)
    {
        _writes.Writer.TryWrite(write);
        return write.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            try
            {
                Commit(batch);
                foreach (var write in batch)
                {
                    Apply(write);
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

    private void Apply(PendingWrite write)
    {
        if (write.State is { } state)
        {
            _states[write.Task] = state;
        }
        else if (write.Ignore)
        {
            _ignored[write.Task] = true;
        }
        else
        {
            _states.TryRemove(write.Task, out _);
            _ignored.TryRemove(write.Task, out _);
        }
    }

    private void Commit(List<PendingWrite> batch)
    {
        using var transaction = _connection.BeginTransaction();
        using var upsert = _connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = "INSERT INTO task_state(name, succeeded_at, result, data) VALUES ($name, $at, $result, $data) " +
            "ON CONFLICT(name) DO UPDATE SET succeeded_at = excluded.succeeded_at, result = excluded.result, data = excluded.data";
        var name = upsert.Parameters.Add("$name", SqliteType.Text);
        var at = upsert.Parameters.Add("$at", SqliteType.Integer);
        var result = upsert.Parameters.Add("$result", SqliteType.Text);
        var data = upsert.Parameters.Add("$data", SqliteType.Blob);
        foreach (var write in batch)
        {
            if (write.State is { } state)
            {
                name.Value = write.Task;
                at.Value = state.SucceededAt.ToUnixTimeMilliseconds();
                result.Value = (object?)state.Result ?? DBNull.Value;
                data.Value = StateEncoding.Encode(state);
                upsert.ExecuteNonQuery();
            }
            else if (write.Ignore)
            {
                Execute(_connection, "INSERT OR IGNORE INTO ignored(name) VALUES ($name)", transaction, write.Task);
            }
            else
            {
                Execute(_connection, "DELETE FROM task_state WHERE name = $name", transaction, write.Task);
                Execute(_connection, "DELETE FROM ignored WHERE name = $name", transaction, write.Task);
            }
        }

        transaction.Commit();
    }

    private static void EnsureSchema(SqliteConnection connection, string path)
    {
        using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var names = new List<string>();
        using (var reader = tables.ExecuteReader())
        {
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        if (names.Count == 0)
        {
            Execute(connection, """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE task_state(name TEXT PRIMARY KEY, succeeded_at INTEGER NOT NULL, result TEXT, data BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE ignored(name TEXT PRIMARY KEY) WITHOUT ROWID;
                """);
            Execute(connection, $"INSERT INTO meta(key, value) VALUES ('format', '{Format}'), ('version', '{FormatVersion}')");
            return;
        }

        string? format = null, version = null;
        if (names.Contains("meta"))
        {
            using var meta = connection.CreateCommand();
            meta.CommandText = "SELECT key, value FROM meta";
            using var reader = meta.ExecuteReader();
            while (reader.Read())
            {
                switch (reader.GetString(0))
                {
                    case "format": format = reader.GetString(1); break;
                    case "version": version = reader.GetString(1); break;
                }
            }
        }

        if (format != Format)
        {
            throw Unusable(path, "it is an SQLite database, but not one Orchestrate wrote", null);
        }

        if (version != FormatVersion)
        {
            throw Unusable(path, $"it was written by another version of Orchestrate (format {version})", null);
        }
    }

    private static void Load(SqliteConnection connection, ConcurrentDictionary<string, TaskState> states, ConcurrentDictionary<string, bool> ignored)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, succeeded_at, result, data FROM task_state";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var (files, values) = StateEncoding.Decode((byte[])reader.GetValue(3));
                states[reader.GetString(0)] = new TaskState(
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    files,
                    values);
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM ignored";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ignored[reader.GetString(0)] = true;
            }
        }
    }

    private static StateStoreException Unusable(string path, string why, Exception? inner) =>
        new($"the state store {path} cannot be used: {why}. Run 'forget --all' to start afresh (every task will run again), or remove the file", inner);

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, string? name = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (name is not null)
        {
            command.Parameters.AddWithValue("$name", name);
        }

        command.ExecuteNonQuery();
    }

    private sealed record PendingWrite(string Task, TaskState? State, bool Ignore = false)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
