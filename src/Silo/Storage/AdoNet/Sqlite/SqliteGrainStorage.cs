using Microsoft.Data.Sqlite;
using OrleansBroker.Silo.Storage.Serialization;

namespace OrleansBroker.Silo.Storage.AdoNet.Sqlite;

/// <summary>
/// Grain storage in an embedded SQLite database file, by default <c>grains.db</c> in the broker's data directory.
/// Thread-safe: grains read and write concurrently.
/// </summary>
/// <remarks>
/// On disk: one SQLite database (the file, plus <c>-wal</c> and <c>-shm</c> beside it while open), its schema made and
/// migrated when the provider is constructed by the scripts in <c>Migrations/</c>:
/// <c>grain_storage_schema(version, description, applied_at)</c>, one row per migration applied, and
/// <c>grain_state(state_name, grain_key, payload, version, updated_at)</c>, one row per grain state record, payload as
/// <see cref="GrainStateSerializer"/> writes it. A clear deletes the row.
/// <para>
/// Crash semantics: write-ahead log, synchronous=FULL. A write's task completes only after its commit is fsynced to
/// the WAL, so a completed <see cref="WriteAsync{TState}"/> survives kill -9 and power loss; a write cut short leaves
/// the row as it was before. Each operation is its own transaction.
/// </para>
/// <para>
/// Concurrency: one connection, one operation at a time behind an async lock. SQLite admits one writer at a time
/// anyway, and Microsoft.Data.Sqlite answers contention between connections by sleeping 150 ms and retrying; queueing
/// on a lock in the process is both fairer and faster. Reads are primary-key lookups done at grain activation, so
/// sharing the lock costs them little. Microsoft.Data.Sqlite has no truly asynchronous I/O, so an operation occupies
/// a thread-pool thread for the length of the statement (an fsync for a write), never the caller's.
/// </para>
/// </remarks>
public sealed class SqliteGrainStorage : IGrainStorage, IDisposable
{
    /// <summary>The database's file name in the broker's data directory.</summary>
    public const string DefaultFileName = "grains.db";

    private const string MigrationsNamespace = "OrleansBroker.Silo.Storage.AdoNet.Sqlite.Migrations";

    private const string SchemaTableExistsSql = "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'grain_storage_schema'";

    private const string ReadSql = "SELECT payload FROM grain_state WHERE state_name = $state_name AND grain_key = $grain_key";

    private const string WriteSql = """
        INSERT INTO grain_state (state_name, grain_key, payload, version, updated_at)
        VALUES ($state_name, $grain_key, $payload, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        ON CONFLICT (state_name, grain_key) DO UPDATE SET
            payload = excluded.payload,
            version = grain_state.version + 1,
            updated_at = excluded.updated_at
        """;

    private const string ClearSql = "DELETE FROM grain_state WHERE state_name = $state_name AND grain_key = $grain_key";

    // Another process with the file open (a backup tool, sqlite3) can hold the lock briefly; wait rather than fail.
    private const int BusyTimeoutMilliseconds = 10_000;

    private static readonly Lazy<IReadOnlyList<SchemaMigrationScript>> Scripts = new(() => SchemaMigrations.Load(MigrationsNamespace));

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteCommand _read;
    private readonly SqliteCommand _write;
    private readonly SqliteCommand _clear;
    private bool _disposed;

    /// <summary>
    /// Opens (creating it and its directory when missing) the database at <paramref name="databasePath"/> and brings its
    /// schema up to date. Throws <see cref="GrainStorageException"/> naming the path when the directory cannot be made,
    /// the file cannot be opened or written, is not a database, or has a schema newer than this broker.
    /// </summary>
    public SqliteGrainStorage(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        DatabasePath = FullPath(databasePath);
        EnsureDirectory(DatabasePath);

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // One connection for the provider's lifetime; without a pool, Dispose closes the file.
            Pooling = false,
        }.ToString());
        try
        {
            _connection.Open();
            Configure(_connection, DatabasePath);
            Migrate(_connection, DatabasePath);
            _read = Prepare(ReadSql, withPayload: false);
            _write = Prepare(WriteSql, withPayload: true);
            _clear = Prepare(ClearSql, withPayload: false);
        }
        catch (Exception e)
        {
            _connection.Dispose();
            if (e is SqliteException)
            {
                throw new GrainStorageException($"The grain storage database '{DatabasePath}' cannot be opened: {e.Message}", e);
            }

            throw;
        }
    }

    /// <summary>The database file, as a full path.</summary>
    public string DatabasePath { get; }

    /// <summary>The provider for a broker data directory: <c>&lt;dataDirectory&gt;/grains.db</c>.</summary>
    public static SqliteGrainStorage InDataDirectory(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return new SqliteGrainStorage(Path.Combine(dataDirectory, DefaultFileName));
    }

    public async Task<(TState? State, bool Exists)> ReadAsync<TState>(string stateName, string grainKey)
    {
        var payload = await RunAsync("Reading", stateName, grainKey, () =>
        {
            Bind(_read, stateName, grainKey);
            return _read.ExecuteScalar() as string;
        }).ConfigureAwait(false);
        if (payload is null)
        {
            return (default, false);
        }

        try
        {
            return (GrainStateSerializer.Deserialize<TState>(payload), true);
        }
        catch (GrainStateFormatException e)
        {
            throw new GrainStorageException(
                $"State '{stateName}' of grain '{grainKey}' in '{DatabasePath}' cannot be read: {e.Message}", e);
        }
    }

    public Task WriteAsync<TState>(string stateName, string grainKey, TState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string payload;
        try
        {
            payload = GrainStateSerializer.Serialize(state);
        }
        catch (GrainStateFormatException e)
        {
            throw new GrainStorageException($"State '{stateName}' of grain '{grainKey}' cannot be written to '{DatabasePath}': {e.Message}", e);
        }

        return RunAsync("Writing", stateName, grainKey, () =>
        {
            Bind(_write, stateName, grainKey);
            _write.Parameters["$payload"].Value = payload;
            return _write.ExecuteNonQuery();
        });
    }

    public Task ClearAsync(string stateName, string grainKey) =>
        RunAsync("Clearing", stateName, grainKey, () =>
        {
            Bind(_clear, stateName, grainKey);
            return _clear.ExecuteNonQuery();
        });

    /// <summary>Waits for the operation in progress, then closes the database.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _read.Dispose();
            _write.Dispose();
            _clear.Dispose();
            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<T> RunAsync<T>(string doing, string stateName, string grainKey, Func<T> operation)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainKey);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Off the caller's thread: it may be a socket's event thread, serving other connections too.
            return await Task.Run(operation).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw new GrainStorageException(
                $"{doing} state '{stateName}' of grain '{grainKey}' in '{DatabasePath}' failed: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static void Bind(SqliteCommand command, string stateName, string grainKey)
    {
        command.Parameters["$state_name"].Value = stateName;
        command.Parameters["$grain_key"].Value = grainKey;
    }

    private SqliteCommand Prepare(string sql, bool withPayload)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$state_name", SqliteType.Text);
        command.Parameters.Add("$grain_key", SqliteType.Text);
        if (withPayload)
        {
            command.Parameters.Add("$payload", SqliteType.Text);
        }

        return command;
    }

    private static string FullPath(string databasePath)
    {
        try
        {
            return Path.GetFullPath(databasePath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new GrainStorageException($"The grain storage database path '{databasePath}' is not a usable path: {e.Message}", e);
        }
    }

    private static void EnsureDirectory(string databasePath)
    {
        var directory = Path.GetDirectoryName(databasePath)
            ?? throw new GrainStorageException($"The grain storage database path '{databasePath}' has no directory.");
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GrainStorageException($"The grain storage directory '{directory}' cannot be created: {e.Message}", e);
        }

        if (Directory.Exists(databasePath))
        {
            throw new GrainStorageException($"The grain storage database '{databasePath}' is a directory, not a database file.");
        }
    }

    // journal_mode is a property of the file and sticks; synchronous and busy_timeout belong to the connection.
    private static void Configure(SqliteConnection connection, string databasePath)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new GrainStorageException(
                $"The grain storage database '{databasePath}' cannot use write-ahead logging (journal mode is '{mode}'); is it on a file system without shared memory, such as a network share?");
        }

        command.CommandText = $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {BusyTimeoutMilliseconds}";
        command.ExecuteNonQuery();
    }

    private static void Migrate(SqliteConnection connection, string databasePath)
    {
        // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): takes the write lock first, so two processes opening one
        // new file do not both create the schema.
        using var transaction = connection.BeginTransaction();
        SchemaMigrations.Apply(connection, transaction, Scripts.Value, SchemaTableExistsSql, $"'{databasePath}'");
        transaction.Commit();
    }
}
