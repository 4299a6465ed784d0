using Microsoft.Data.Sqlite;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using OrleansBroker.Silo.Storage.AdoNet;
using OrleansBroker.Silo.Storage.AdoNet.Sqlite;
using OrleansBroker.Silo.Storage.Serialization;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// A PostgreSQL database written by brokers before Orleans' ADO.NET provider (tables grain_state and
/// grain_storage_schema): the first start with --postgres moves its state into the provider's table and renames the old
/// tables; a row it cannot move stops the start, naming the row. Each test in a schema and data directory of its own.
/// </summary>
public sealed class LegacyGrainStateMigrationTests : IAsyncLifetime
{
    /// <summary>What the old provider (PostgresGrainStorage, migration 001) made: the layout this move reads.</summary>
    private const string OldProviderSchema = """
        CREATE TABLE grain_storage_schema (
            version     integer     NOT NULL PRIMARY KEY,
            description text        NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE grain_state (
            state_name text COLLATE "C" NOT NULL,
            grain_key  text COLLATE "C" NOT NULL,
            payload    text             NOT NULL,
            version    bigint           NOT NULL,
            updated_at timestamptz      NOT NULL,
            PRIMARY KEY (state_name, grain_key)
        );
        INSERT INTO grain_storage_schema (version, description) VALUES (1, 'grain_state: one row per (state name, grain key)');
        """;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));
    private PostgresTestSchema _schema = null!;

    public async Task InitializeAsync() => _schema = await PostgresTestSchema.CreateAsync();

    public async Task DisposeAsync()
    {
        await _schema.DisposeAsync();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [PostgresFact]
    public async Task Durable_state_written_before_is_moved_on_the_first_start_and_the_old_tables_renamed()
    {
        // The old provider kept exactly the rows the embedded store keeps (same state names, keys and format): make them
        // with a broker on SQLite, then hand them to PostgreSQL as the old provider would have held them.
        var exchange = BrokerFixture.UniqueName("orders");
        var queue = BrokerFixture.UniqueName("orders-q");
        await using (var broker = await StartAsync(postgres: false))
        await using (var connection = await ConnectAsync(broker))
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, "order.*");
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync(exchange, "order.created", mandatory: true, new BasicProperties { Persistent = true }, new[] { (byte)i });
            }
        }

        var rows = await CopySqliteRowsToOldTableAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path.Combine(_dataDir, SqliteGrainStorage.DefaultFileName + suffix));
        }

        await using (var broker = await StartAsync(postgres: true))
        await using (var connection = await ConnectAsync(broker))
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.ExchangeDeclarePassiveAsync(exchange);
            Assert.Equal(3u, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);
            await channel.BasicPublishAsync(exchange, "order.shipped", mandatory: true, new BasicProperties { Persistent = true }, "through the moved binding"u8.ToArray());
            Assert.Equal(4u, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);
        }

        Assert.False(await _schema.HasTableAsync("grain_state"));
        Assert.False(await _schema.HasTableAsync("grain_storage_schema"));
        Assert.Equal(rows, await _schema.CountAsync("SELECT COUNT(*) FROM grain_state_before_adonet"));
        Assert.True(await _schema.HasTableAsync("grain_storage_schema_before_adonet"));
        Assert.Equal(1, await _schema.CountAsync($"SELECT COUNT(*) FROM orleans_grain_state WHERE state_name = 'queue' AND grain_key = '%2F/{queue}'"));

        // Later starts find nothing to move and keep what is there.
        await using (var broker = await StartAsync(postgres: true))
        await using (var connection = await ConnectAsync(broker))
        await using (var channel = await connection.CreateChannelAsync())
        {
            Assert.Equal(4u, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);
        }
    }

    [PostgresFact]
    public async Task Records_the_provider_already_holds_are_kept_and_the_others_moved()
    {
        // A move cut short: the provider holds the vhost already (here: a broker ran on the new table first).
        await (await StartAsync(postgres: true)).DisposeAsync();
        var vhostBefore = (string?)await _schema.ScalarAsync("SELECT payload FROM orleans_grain_state WHERE state_name = 'vhost' AND grain_key = '/'");
        var oldQueue = GrainStateSerializer.Serialize(new QueueState { VirtualHost = "/", Declaration = SampleStates.Queue("old", SampleStates.EveryValueType()) });
        await _schema.ExecuteAsync(OldProviderSchema);
        await InsertOldRowAsync("vhost", "/", GrainStateSerializer.Serialize(new VirtualHostState { Initialized = true }));
        await InsertOldRowAsync("queue", "%2F/old", oldQueue);

        await (await StartAsync(postgres: true)).DisposeAsync();

        // The vhost writes the silos it saw up at each start; the rest of the record must be what the provider held.
        Assert.Equal(WithoutSilos(vhostBefore), WithoutSilos((string?)await _schema.ScalarAsync("SELECT payload FROM orleans_grain_state WHERE state_name = 'vhost' AND grain_key = '/'")));
        Assert.Equal(oldQueue, await _schema.ScalarAsync("SELECT payload FROM orleans_grain_state WHERE state_name = 'queue' AND grain_key = '%2F/old'"));
        Assert.True(await _schema.HasTableAsync("grain_state_before_adonet"));
    }

    [PostgresFact]
    public async Task A_row_that_cannot_be_read_stops_the_start_naming_it_and_moves_nothing()
    {
        await _schema.ExecuteAsync(OldProviderSchema);
        await InsertOldRowAsync("queue", "%2F/fine", GrainStateSerializer.Serialize(new QueueState { VirtualHost = "/" }));
        await InsertOldRowAsync("queue", "%2F/broken", """{"format":1,"state":{not json""");

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => StartAsync(postgres: true));

        Assert.Contains("State 'queue' of grain '%2F/broken' in table grain_state", error.Message);
        Assert.Contains("Repair or delete that row, then start again.", error.Message);
        Assert.True(await _schema.HasTableAsync("grain_state"));
        Assert.Equal(0, await _schema.CountAsync("SELECT COUNT(*) FROM orleans_grain_state"));
    }

    [PostgresFact]
    public async Task A_row_of_a_state_this_broker_does_not_keep_stops_the_start_naming_it()
    {
        await _schema.ExecuteAsync(OldProviderSchema);
        await InsertOldRowAsync("consumer", "%2F/q/ctag-1", """{"format":1,"state":{}}""");

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => StartAsync(postgres: true));

        Assert.Contains("a row of state 'consumer' (grain '%2F/q/ctag-1')", error.Message);
        Assert.Contains("delete that row, then start again", error.Message);
        Assert.True(await _schema.HasTableAsync("grain_state"));
    }

    private Task<BrokerHost> StartAsync(bool postgres) => BrokerHost.StartAsync(new BrokerOptions
    {
        AmqpPort = 0,
        Bind = "127.0.0.1",
        DataDir = _dataDir,
        PostgresConnectionString = postgres ? _schema.ConnectionString : null,
    });

    private static Task<IConnection> ConnectAsync(BrokerHost broker) =>
        new ConnectionFactory { HostName = "127.0.0.1", Port = broker.AmqpPort, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    /// <summary>Makes the old tables and copies every row of the data directory's grains.db into them; returns how many.</summary>
    private async Task<long> CopySqliteRowsToOldTableAsync()
    {
        await _schema.ExecuteAsync(OldProviderSchema);
        var path = Path.Combine(_dataDir, SqliteGrainStorage.DefaultFileName);
        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await sqlite.OpenAsync();
        await using var command = sqlite.CreateCommand();
        // Only the states brokers of that time kept: later grains (the user store's 'access') never had old rows.
        command.CommandText = "SELECT state_name, grain_key, payload FROM grain_state WHERE state_name IN ('vhost', 'exchange', 'queue')";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            await InsertOldRowAsync(reader.GetString(0), reader.GetString(1), reader.GetString(2));
            rows++;
        }

        Assert.True(rows > 3, $"the SQLite broker wrote {rows} rows: vhost, exchanges and the queue expected");
        return rows;
    }

    private async Task InsertOldRowAsync(string stateName, string grainKey, string payload)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_schema.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "INSERT INTO grain_state (state_name, grain_key, payload, version, updated_at) VALUES ($1, $2, $3, 1, now())", connection);
        command.Parameters.AddWithValue(stateName);
        command.Parameters.AddWithValue(grainKey);
        command.Parameters.AddWithValue(payload);
        await command.ExecuteNonQueryAsync();
    }

    private static string? WithoutSilos(string? payload)
    {
        if (payload is null)
        {
            return null;
        }

        var record = System.Text.Json.Nodes.JsonNode.Parse(payload)!;
        record["state"]!.AsObject().Remove("silos");
        return record.ToJsonString();
    }
}
