using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansBroker.Silo.Storage.Serialization;

namespace OrleansBroker.Silo.Storage.AdoNet.Postgres;

/// <summary>
/// Grain state in PostgreSQL through Orleans' ADO.NET grain storage provider (Microsoft.Orleans.Persistence.AdoNet),
/// with the table and queries of <c>deploy/sql/postgresql</c> and the broker's stored format
/// (<see cref="OrleansGrainStateSerializer"/>, the same JSON as the embedded SQLite store). <see cref="PrepareAsync"/>
/// readies the database before the silo starts; <see cref="Register"/> adds the provider to the silo.
/// </summary>
internal sealed class PostgresGrainStorage
{
    /// <summary>
    /// The ServiceId the provider keys rows by. Fixed rather than the cluster's, so that what is stored does not depend
    /// on how the silos are clustered (one node, a cluster, a renamed cluster): a database (or schema) holds one
    /// broker's state.
    /// </summary>
    public const string ServiceId = "orleansbroker";

    // The ADO.NET invariant name by which Orleans loads Npgsql (Orleans' own constant for it is internal).
    private const string NpgsqlInvariant = "Npgsql";

    private PostgresGrainStorage(PostgresDatabase database, LegacyGrainState? legacy)
    {
        Database = database;
        Legacy = legacy;
    }

    public PostgresDatabase Database { get; }

    /// <summary>State written by brokers before this provider, to be moved into it when the silo starts; null when none.</summary>
    public LegacyGrainState? Legacy { get; }

    /// <summary>
    /// Checks the connection string, applies the schema (<see cref="PostgresSchema"/>) and reads any state left by brokers
    /// before this provider. Throws <see cref="GrainStorageException"/> saying what is wrong, without the password.
    /// </summary>
    public static async Task<PostgresGrainStorage> PrepareAsync(string connectionString, CancellationToken cancellationToken)
    {
        var database = PostgresDatabase.Parse(connectionString);
        await PostgresSchema.ApplyAsync(database, cancellationToken).ConfigureAwait(false);
        return new PostgresGrainStorage(database, await LegacyGrainState.ReadAsync(database, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Registers the provider as grain storage <paramref name="name"/>, and the move of <see cref="Legacy"/> into it.</summary>
    public void Register(IServiceCollection services, string name)
    {
        services.AddAdoNetGrainStorage(name, (AdoNetGrainStorageOptions options) =>
        {
            options.Invariant = NpgsqlInvariant;
            options.ConnectionString = Database.ConnectionString;
            options.GrainStorageSerializer = new OrleansGrainStateSerializer();

            // A deleted exchange or queue leaves no row behind, as in the embedded store.
            options.DeleteStateOnClear = true;
        });

        // Orleans' providers take ClusterOptions registered under their own name before the silo's.
        services.AddKeyedSingleton(name, (provider, _) => new ClusterOptions
        {
            ClusterId = provider.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId,
            ServiceId = ServiceId,
        });

        if (Legacy is { } legacy)
        {
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => new LegacyGrainStateMigration(
                Database, legacy, name, provider, provider.GetRequiredService<ILogger<LegacyGrainStateMigration>>()));
        }
    }
}
