using Npgsql;
using Orleans;
using Orleans.Runtime;
using OrleansBroker.Grains.Access;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Storage.Serialization;
using IOrleansGrainStorage = Orleans.Storage.IGrainStorage;

namespace OrleansBroker.Silo.Storage.AdoNet.Postgres;

/// <summary>
/// Grain state that brokers before Orleans' ADO.NET provider kept in PostgreSQL: tables <c>grain_state(state_name,
/// grain_key, payload, version, updated_at)</c> and <c>grain_storage_schema</c>, where the search path finds tables.
/// Read, and every row checked, before the silo starts, so that a row that cannot be moved stops the start with one
/// message naming it; <see cref="LegacyGrainStateMigration"/> moves the rows once the provider runs.
/// </summary>
internal sealed class LegacyGrainState
{
    /// <summary>The old state table: the rows to move.</summary>
    public const string StateTable = "grain_state";

    /// <summary>The old provider's record of its schema migrations: with <see cref="StateTable"/>, what marks the old layout.</summary>
    public const string SchemaTable = "grain_storage_schema";

    // The state names the broker's grains persist, each with its state type. A grain's [PersistentState] name is also
    // its [GrainType], which the grain ids of the moved records are made of.
    private static readonly Dictionary<string, Func<string, string, string, Record>> Readers = new(StringComparer.Ordinal)
    {
        ["vhost"] = Record.Read<VirtualHostState>,
        ["exchange"] = Record.Read<ExchangeState>,
        ["queue"] = Record.Read<QueueState>,
        ["access"] = Record.Read<AccessControlState>,
    };

    private LegacyGrainState(IReadOnlyList<Record> records) => Records = records;

    /// <summary>Every row of the old table, read back as its state.</summary>
    public IReadOnlyList<Record> Records { get; }

    /// <summary>
    /// Reads the old tables of <paramref name="database"/>: null when they are not there (a new database, or one already
    /// moved). Throws <see cref="GrainStorageException"/> naming the row and what to do when a row cannot be read as the
    /// state its name says, or names a state this broker does not keep.
    /// </summary>
    public static async Task<LegacyGrainState?> ReadAsync(PostgresDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!await ExistsAsync(connection, null, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            await using var command = new NpgsqlCommand($"SELECT state_name, grain_key, payload FROM {StateTable} ORDER BY state_name, grain_key", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var records = new List<Record>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var (stateName, grainKey) = (reader.GetString(0), reader.GetString(1));
                if (!Readers.TryGetValue(stateName, out var read))
                {
                    throw new GrainStorageException(
                        $"Table {StateTable} in {database.Location} has a row of state '{stateName}' (grain '{grainKey}'), which this broker does not keep: delete that row, then start again.");
                }

                try
                {
                    records.Add(read(stateName, grainKey, reader.GetString(2)));
                }
                catch (GrainStateFormatException e)
                {
                    throw new GrainStorageException(
                        $"State '{stateName}' of grain '{grainKey}' in table {StateTable} of {database.Location} cannot be read, so it cannot be moved to Orleans' table: {e.Message} Repair or delete that row, then start again.", e);
                }
            }

            return new LegacyGrainState(records);
        }
        catch (NpgsqlException e)
        {
            throw new GrainStorageException($"Reading table {StateTable} in {database.Location} failed: {e.Message}", e);
        }
    }

    /// <summary>Whether both old tables are there, as the old provider made them, where the search path finds tables.</summary>
    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT to_regclass('{StateTable}') IS NOT NULL AND to_regclass('{SchemaTable}') IS NOT NULL", connection, transaction);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>One row of the old table: a grain's state record, and how to hand it to an Orleans storage provider.</summary>
    public sealed class Record
    {
        private readonly Func<IOrleansGrainStorage, Task<bool>> _moveTo;

        private Record(string stateName, string grainKey, Func<IOrleansGrainStorage, Task<bool>> moveTo)
        {
            StateName = stateName;
            GrainKey = grainKey;
            _moveTo = moveTo;
        }

        public string StateName { get; }

        public string GrainKey { get; }

        /// <summary>
        /// Writes the record through <paramref name="storage"/> as its grain would (state name, grain id with this key),
        /// unless the provider already holds one for that grain; true when it wrote.
        /// </summary>
        public Task<bool> MoveToAsync(IOrleansGrainStorage storage) => _moveTo(storage);

        /// <summary>Reads <paramref name="payload"/> as <typeparamref name="TState"/>; throws <see cref="GrainStateFormatException"/> when it is not one.</summary>
        public static Record Read<TState>(string stateName, string grainKey, string payload)
        {
            var state = GrainStateSerializer.Deserialize<TState>(payload);
            return new Record(stateName, grainKey, async storage =>
            {
                var grainId = GrainId.Create(stateName, grainKey);
                var record = new GrainState<TState>();
                await storage.ReadStateAsync(stateName, grainId, record).ConfigureAwait(false);
                if (record.RecordExists)
                {
                    return false;
                }

                record.State = state;
                await storage.WriteStateAsync(stateName, grainId, record).ConfigureAwait(false);
                return true;
            });
        }
    }
}
