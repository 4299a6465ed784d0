using System.Text.Json;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Storage.AdoNet.Postgres;
using OrleansBroker.Silo.Storage.Serialization;
using OrleansBroker.Tests.Infrastructure;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// Orleans' ADO.NET grain storage provider on PostgreSQL with our scripts and stored format, called as the grains call
/// it (state name, grain id, ETag), each test in a schema of its own.
/// </summary>
public sealed class AdoNetGrainStorageTests : IAsyncLifetime
{
    private PostgresTestSchema _schema = null!;
    private PostgresStorageSilo _silo = null!;

    private IGrainStorage Storage => _silo.Storage;

    public async Task InitializeAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        _silo = await PostgresStorageSilo.StartAsync(_schema.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _schema.DisposeAsync();
    }

    [PostgresFact]
    public async Task A_record_never_written_reads_as_missing()
    {
        var record = new GrainState<QueueState>();

        await Storage.ReadStateAsync("queue", GrainId.Create("queue", "%2F/never-declared"), record);

        Assert.False(record.RecordExists);
        Assert.Null(record.ETag);
        Assert.NotNull(record.State);
    }

    [PostgresFact]
    public async Task States_with_every_field_value_type_read_back_exactly()
    {
        await WriteAsync("vhost", "/", SampleStates.VirtualHost());
        await WriteAsync("exchange", "%2F/logs", SampleStates.Exchange());
        await WriteAsync("queue", "vhost%20with%20spaces%2Fand%20slash/orders", SampleStates.Queue());

        StoredStateAssert.Same(SampleStates.VirtualHost(), await ReadExistingAsync<VirtualHostState>("vhost", "/"));
        StoredStateAssert.Same(SampleStates.Exchange(), await ReadExistingAsync<ExchangeState>("exchange", "%2F/logs"));
        StoredStateAssert.Same(SampleStates.Queue(), await ReadExistingAsync<QueueState>("queue", "vhost%20with%20spaces%2Fand%20slash/orders"));
    }

    [PostgresFact]
    public async Task A_stored_row_is_readable_json_in_the_brokers_format()
    {
        var state = SampleStates.Queue();

        await WriteAsync("queue", "%2F/orders", state);

        var payload = (string?)await _schema.ScalarAsync(
            $"SELECT payload FROM orleans_grain_state WHERE service_id = '{PostgresGrainStorage.ServiceId}' AND state_name = 'queue' AND grain_key = '%2F/orders'");
        Assert.Equal(GrainStateSerializer.Serialize(state), payload);
        using var json = JsonDocument.Parse(payload!);
        Assert.Equal(1, json.RootElement.GetProperty("format").GetInt32());
        Assert.Equal("orders", json.RootElement.GetProperty("state").GetProperty("declaration").GetProperty("name").GetString());
        Assert.Equal("vhost with spaces/and slash", json.RootElement.GetProperty("state").GetProperty("virtualHost").GetString());
    }

    [PostgresFact]
    public async Task Each_write_replaces_the_state_and_moves_the_etag_on()
    {
        var record = new GrainState<QueueState>(new QueueState { VirtualHost = "first" });
        var grainId = GrainId.Create("queue", "%2F/counted");

        await Storage.WriteStateAsync("queue", grainId, record);
        Assert.Equal("1", record.ETag);
        record.State = new QueueState { VirtualHost = "second" };
        await Storage.WriteStateAsync("queue", grainId, record);

        Assert.Equal("2", record.ETag);
        var read = await ReadAsync<QueueState>("queue", "%2F/counted");
        Assert.Equal(("second", "2", true), (read.State?.VirtualHost, read.ETag, read.RecordExists));
    }

    [PostgresFact]
    public async Task Clearing_deletes_the_row_and_a_later_write_starts_it_again()
    {
        await WriteAsync("queue", "%2F/deleted", SampleStates.Queue());
        await WriteAsync("queue", "%2F/other", SampleStates.Queue());
        var record = await ReadAsync<QueueState>("queue", "%2F/deleted");

        await Storage.ClearStateAsync("queue", GrainId.Create("queue", "%2F/deleted"), record);

        Assert.False(record.RecordExists);
        Assert.Null(record.ETag);
        Assert.Equal(0, await _schema.CountAsync("SELECT COUNT(*) FROM orleans_grain_state WHERE grain_key = '%2F/deleted'"));
        Assert.False((await ReadAsync<QueueState>("queue", "%2F/deleted")).RecordExists);
        Assert.True((await ReadAsync<QueueState>("queue", "%2F/other")).RecordExists);

        record.State = new QueueState { VirtualHost = "again" };
        await Storage.WriteStateAsync("queue", GrainId.Create("queue", "%2F/deleted"), record);
        Assert.Equal(1, await _schema.CountAsync("SELECT version FROM orleans_grain_state WHERE grain_key = '%2F/deleted'"));
    }

    [PostgresFact]
    public async Task A_write_from_a_stale_copy_is_refused_and_leaves_the_row_as_it_was()
    {
        await WriteAsync("exchange", "%2F/contested", new ExchangeState { VirtualHost = "original" });
        var first = await ReadAsync<ExchangeState>("exchange", "%2F/contested");
        var second = await ReadAsync<ExchangeState>("exchange", "%2F/contested");
        var grainId = GrainId.Create("exchange", "%2F/contested");

        first.State = new ExchangeState { VirtualHost = "first" };
        await Storage.WriteStateAsync("exchange", grainId, first);
        second.State = new ExchangeState { VirtualHost = "second" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("exchange", grainId, second));

        // Two activations that both found no record: the second insert loses too.
        var fresh = GrainId.Create("exchange", "%2F/new");
        await Storage.WriteStateAsync("exchange", fresh, new GrainState<ExchangeState>(new ExchangeState { VirtualHost = "one" }));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage.WriteStateAsync("exchange", fresh, new GrainState<ExchangeState>(new ExchangeState { VirtualHost = "two" })));

        Assert.Equal("first", (await ReadExistingAsync<ExchangeState>("exchange", "%2F/contested")).VirtualHost);
        Assert.Equal("one", (await ReadExistingAsync<ExchangeState>("exchange", "%2F/new")).VirtualHost);
    }

    [PostgresFact]
    public async Task State_name_and_grain_key_together_name_a_record_compared_exactly()
    {
        var keys = new[] { "%2F/q", "%2F/Q", "%2F/q ", "ключ/队列/🐇", "it's \"quoted\"; DROP TABLE orleans_grain_state; --" };
        foreach (var key in keys)
        {
            await WriteAsync("queue", key, new QueueState { VirtualHost = "queue:" + key });
            await WriteAsync("exchange", key, new ExchangeState { VirtualHost = "exchange:" + key });
        }

        foreach (var key in keys)
        {
            Assert.Equal("queue:" + key, (await ReadExistingAsync<QueueState>("queue", key)).VirtualHost);
            Assert.Equal("exchange:" + key, (await ReadExistingAsync<ExchangeState>("exchange", key)).VirtualHost);
        }

        Assert.Equal(2 * keys.Length, await _schema.CountAsync("SELECT COUNT(*) FROM orleans_grain_state"));
    }

    [PostgresFact]
    public async Task A_row_that_is_not_json_fails_the_read_saying_so()
    {
        await WriteAsync("exchange", "%2F/broken", SampleStates.Exchange());
        await _schema.ExecuteAsync("""UPDATE orleans_grain_state SET payload = '{"format":1,"state":{not json' WHERE grain_key = '%2F/broken'""");

        var error = await Assert.ThrowsAsync<GrainStateFormatException>(() => ReadAsync<ExchangeState>("exchange", "%2F/broken"));

        Assert.Contains("not valid for ExchangeState", error.Message);
    }

    private Task WriteAsync<TState>(string stateName, string grainKey, TState state) =>
        Storage.WriteStateAsync(stateName, GrainId.Create(stateName, grainKey), new GrainState<TState>(state));

    private async Task<TState> ReadExistingAsync<TState>(string stateName, string grainKey)
        where TState : class
    {
        var record = await ReadAsync<TState>(stateName, grainKey);
        Assert.True(record.RecordExists, $"no record of state '{stateName}' for grain '{grainKey}'");
        Assert.NotNull(record.State);
        return record.State;
    }

    private async Task<GrainState<TState>> ReadAsync<TState>(string stateName, string grainKey)
    {
        var record = new GrainState<TState>();
        await Storage.ReadStateAsync(stateName, GrainId.Create(stateName, grainKey), record);
        return record;
    }
}
