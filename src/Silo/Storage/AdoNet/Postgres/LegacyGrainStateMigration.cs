using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans;
using Orleans.Runtime;
using IOrleansGrainStorage = Orleans.Storage.IGrainStorage;

namespace OrleansBroker.Silo.Storage.AdoNet.Postgres;

/// <summary>
/// Moves the <see cref="LegacyGrainState"/> found before the silo started into Orleans' ADO.NET provider, then renames the
/// old tables <see cref="RetiredStateTable"/> and <see cref="RetiredSchemaTable"/> (kept for the operator to drop), so
/// that it happens once.
/// </summary>
/// <remarks>
/// Each record goes through the provider itself, as its grain would write it (state name, a grain id whose key is the
/// row's grain key), so it lands wherever the provider will look for it, by construction; the payload format is the same
/// before and after. A record the provider already holds is left alone, so a move cut short resumes where it stopped.
/// It runs once the providers have started and before the silo is active, so no grain reads state before it is done;
/// brokers starting together take turns.
/// </remarks>
internal sealed class LegacyGrainStateMigration(
    PostgresDatabase database,
    LegacyGrainState legacy,
    string storageName,
    IServiceProvider services,
    ILogger<LegacyGrainStateMigration> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The lifecycle stage: right after the storage providers start (theirs is ApplicationServices).</summary>
    public const int Stage = ServiceLifecycleStage.ApplicationServices + 1;

    public const string RetiredStateTable = "grain_state_before_adonet";

    public const string RetiredSchemaTable = "grain_storage_schema_before_adonet";

    // Arbitrary but fixed ("OBMG" in ASCII), held for the length of the move's transaction.
    private const long MigrationLockKey = 0x4F424D47;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LegacyGrainStateMigration), Stage, MigrateAsync);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = MigrationLockKey });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Another broker may have finished the move while this one started.
            if (!await LegacyGrainState.ExistsAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var storage = services.GetRequiredKeyedService<IOrleansGrainStorage>(storageName);
            var moved = 0;
            foreach (var record in legacy.Records)
            {
                if (await record.MoveToAsync(storage).ConfigureAwait(false))
                {
                    moved++;
                }
            }

            await using (var rename = new NpgsqlCommand(
                $"ALTER TABLE {LegacyGrainState.StateTable} RENAME TO {RetiredStateTable}; ALTER TABLE {LegacyGrainState.SchemaTable} RENAME TO {RetiredSchemaTable}",
                connection, transaction))
            {
                await rename.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            logger.LogWarning(
                "moved {Moved} of {Records} grain state records from table {StateTable} (written before Orleans' ADO.NET provider) to orleans_grain_state in {Database}; the old tables are kept as {RetiredStateTable} and {RetiredSchemaTable}: drop them once the broker holds what you expect",
                moved, legacy.Records.Count, LegacyGrainState.StateTable, database.Location, RetiredStateTable, RetiredSchemaTable);
        }
        catch (NpgsqlException e)
        {
            throw new GrainStorageException($"Moving grain state from table {LegacyGrainState.StateTable} in {database.Location} failed: {e.Message}", e);
        }
    }
}
