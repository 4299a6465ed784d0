using Npgsql;
using NpgsqlTypes;
using OrleansBroker.Silo.Storage.Serialization;

namespace OrleansBroker.Silo.Storage.AdoNet.Postgres;

/// <summary>
/// Grain storage in a PostgreSQL database, for brokers that share one. Thread-safe: grains read and write
/// concurrently, each operation on a connection from Npgsql's pool.
/// </summary>
/// <remarks>
/// Tables (made and migrated when the provider is constructed, by the scripts in <c>Migrations/</c>, in the first
/// schema of the connection string's search path): <c>grain_storage_schema(version, description, applied_at)</c>, one
/// row per migration applied, and <c>grain_state(state_name, grain_key, payload, version, updated_at)</c>, one row per
/// grain state record, payload as <see cref="GrainStateSerializer"/> writes it. A clear deletes the row. Each operation
/// is its own transaction; a completed write is as durable as the server's synchronous_commit makes it (on, by default).
/// <para>
/// PostgreSQL text cannot hold the character U+0000, so a state name or grain key containing it cannot be stored: the
/// operation fails with a <see cref="GrainStorageException"/> naming the grain.
/// </para>
/// </remarks>
public sealed class PostgresGrainStorage : IGrainStorage, IAsyncDisposable, IDisposable
{
    private const string MigrationsNamespace = "OrleansBroker.Silo.Storage.AdoNet.Postgres.Migrations";

    // to_regclass looks the name up through the search path, as the migration scripts' CREATE TABLE does.
    private const string SchemaTableExistsSql = "SELECT COUNT(*) FROM (SELECT to_regclass('grain_storage_schema') AS t) AS lookup WHERE t IS NOT NULL";

    // Brokers starting together against one database take turns migrating it. The key is arbitrary but fixed
    // ("OBGS" in ASCII); advisory locks are per database, so it also serializes migrations of different schemas.
    private const long MigrationLockKey = 0x4F424753;

    private const string ReadSql = "SELECT payload FROM grain_state WHERE state_name = $1 AND grain_key = $2";

    private const string WriteSql = """
        INSERT INTO grain_state AS s (state_name, grain_key, payload, version, updated_at)
        VALUES ($1, $2, $3, 1, now())
        ON CONFLICT (state_name, grain_key) DO UPDATE SET
            payload = EXCLUDED.payload,
            version = s.version + 1,
            updated_at = EXCLUDED.updated_at
        """;

    private const string ClearSql = "DELETE FROM grain_state WHERE state_name = $1 AND grain_key = $2";

    private static readonly Lazy<IReadOnlyList<SchemaMigrationScript>> Scripts = new(() => SchemaMigrations.Load(MigrationsNamespace));

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>
    /// Connects with <paramref name="connectionString"/> (Npgsql's format: "Host=...;Port=...;Username=...;Password=...;
    /// Database=...", optionally "Search Path=schema") and brings the schema up to date. Throws
    /// <see cref="GrainStorageException"/> naming the server and database (never the password) when the connection string
    /// is invalid, the server cannot be reached or refuses the login, or the schema is newer than this broker.
    /// </summary>
    public PostgresGrainStorage(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new GrainStorageException($"The PostgreSQL grain storage connection string is not valid: {e.Message}", e);
        }

        Location = Describe(settings);
        _dataSource = NpgsqlDataSource.Create(settings);
        try
        {
            Migrate();
        }
        catch (Exception e)
        {
            _dataSource.Dispose();
            if (e is NpgsqlException)
            {
                throw new GrainStorageException($"The grain storage database {Location} cannot be opened: {e.Message}", e);
            }

            throw;
        }
    }

    /// <summary>Which server, database and search path the provider uses, for messages: never the password.</summary>
    public string Location { get; }

    public async Task<(TState? State, bool Exists)> ReadAsync<TState>(string stateName, string grainKey)
    {
        var payload = await RunAsync("Reading", stateName, grainKey, ReadSql, payload: null,
            static async command => await command.ExecuteScalarAsync().ConfigureAwait(false) as string).ConfigureAwait(false);
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
            throw new GrainStorageException($"State '{stateName}' of grain '{grainKey}' in {Location} cannot be read: {e.Message}", e);
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
            throw new GrainStorageException($"State '{stateName}' of grain '{grainKey}' cannot be written to {Location}: {e.Message}", e);
        }

        return RunAsync("Writing", stateName, grainKey, WriteSql, payload, static command => command.ExecuteNonQueryAsync());
    }

    public Task ClearAsync(string stateName, string grainKey) =>
        RunAsync("Clearing", stateName, grainKey, ClearSql, payload: null, static command => command.ExecuteNonQueryAsync());

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    private async Task<T> RunAsync<T>(string doing, string stateName, string grainKey, string sql, string? payload, Func<NpgsqlCommand, Task<T>> execute)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainKey);
        try
        {
            await using var command = _dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = stateName });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = grainKey });
            if (payload is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = payload });
            }

            return await execute(command).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new GrainStorageException($"{doing} state '{stateName}' of grain '{grainKey}' in {Location} failed: {e.Message}", e);
        }
    }

    private void Migrate()
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = MigrationLockKey });
            command.ExecuteNonQuery();
        }

        SchemaMigrations.Apply(connection, transaction, Scripts.Value, SchemaTableExistsSql, Location);
        transaction.Commit();
    }

    private static string Describe(NpgsqlConnectionStringBuilder settings)
    {
        var searchPath = string.IsNullOrEmpty(settings.SearchPath) ? string.Empty : $", search path '{settings.SearchPath}'";
        return $"'{settings.Database ?? settings.Username}' on PostgreSQL {settings.Host}:{settings.Port}{searchPath}";
    }
}
