using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Storage;
using OrleansBroker.Silo.Storage.AdoNet;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// What every durable grain storage provider of our own must do (today the embedded SQLite one; PostgreSQL goes through
/// Orleans' ADO.NET provider, see <see cref="AdoNetGrainStorageTests"/>). Each provider's test class derives from this
/// and says how to open the provider over a fresh store and how to reach that store directly.
/// </summary>
public abstract class GrainStorageContract : IAsyncLifetime
{
    private readonly List<IGrainStorage> _opened = [];

    /// <summary>The provider opened over this test's store in <see cref="InitializeAsync"/>.</summary>
    protected IGrainStorage Storage { get; private set; } = null!;

    /// <summary>A new provider over this test's store, as a broker restarting would open it.</summary>
    protected abstract IGrainStorage OpenProvider();

    /// <summary>Runs SQL against this test's store directly, not through a provider.</summary>
    protected abstract Task ExecuteSqlAsync(string sql);

    /// <summary>The first column of the first row of a query against this test's store, as a long.</summary>
    protected abstract Task<long> QueryLongAsync(string sql);

    public virtual Task InitializeAsync()
    {
        Storage = Open();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var storage in _opened)
        {
            switch (storage)
            {
                case IAsyncDisposable disposable:
                    await disposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>Opens a provider that <see cref="DisposeAsync"/> disposes.</summary>
    protected IGrainStorage Open()
    {
        var storage = OpenProvider();
        _opened.Add(storage);
        return storage;
    }

    /// <summary>Disposes a provider early, as a broker stopping would.</summary>
    protected async Task CloseAsync(IGrainStorage storage)
    {
        _opened.Remove(storage);
        switch (storage)
        {
            case IAsyncDisposable disposable:
                await disposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [Fact]
    public async Task Reading_a_record_never_written_finds_nothing()
    {
        var (state, exists) = await Storage.ReadAsync<QueueState>("queue", "%2F/never-declared");

        Assert.False(exists);
        Assert.Null(state);
    }

    [Fact]
    public async Task A_virtual_host_directory_reads_back_exactly_with_ordinal_dictionaries()
    {
        var written = SampleStates.VirtualHost();

        await Storage.WriteAsync("vhost", "/", written);
        var (read, exists) = await Storage.ReadAsync<VirtualHostState>("vhost", "/");

        Assert.True(exists);
        StoredStateAssert.Same(written, read!);
        Assert.NotSame(written, read);
    }

    [Fact]
    public async Task An_exchange_and_its_bindings_read_back_exactly()
    {
        var written = SampleStates.Exchange();

        await Storage.WriteAsync("exchange", "%2F/logs", written);
        var (read, exists) = await Storage.ReadAsync<ExchangeState>("exchange", "%2F/logs");

        Assert.True(exists);
        StoredStateAssert.Same(written, read!);
        Assert.Equal(DestinationKind.Exchange, read!.Bindings[1].Destination.Kind);
    }

    [Fact]
    public async Task A_queue_reads_back_exactly()
    {
        var written = SampleStates.Queue();

        await Storage.WriteAsync("queue", "vhost%20with%20spaces%2Fand%20slash/orders", written);
        var (read, _) = await Storage.ReadAsync<QueueState>("queue", "vhost%20with%20spaces%2Fand%20slash/orders");

        StoredStateAssert.Same(written, read!);
    }

    [Fact]
    public async Task Fresh_states_with_nothing_set_read_back_as_written()
    {
        await Storage.WriteAsync("vhost", "empty", new VirtualHostState());
        await Storage.WriteAsync("exchange", "empty", new ExchangeState());
        await Storage.WriteAsync("queue", "empty", new QueueState());

        StoredStateAssert.Same(new VirtualHostState(), (await Storage.ReadAsync<VirtualHostState>("vhost", "empty")).State!);
        StoredStateAssert.Same(new ExchangeState(), (await Storage.ReadAsync<ExchangeState>("exchange", "empty")).State!);
        var (queue, exists) = await Storage.ReadAsync<QueueState>("queue", "empty");
        Assert.True(exists);
        StoredStateAssert.Same(new QueueState(), queue!);
    }

    [Fact]
    public async Task A_write_replaces_the_previous_state_whole()
    {
        await Storage.WriteAsync("vhost", "/", SampleStates.VirtualHost());
        var smaller = new VirtualHostState { Initialized = true };
        smaller.Exchanges["only"] = SampleStates.Exchange("only", new FieldTable([new("k", (short)5)]));

        await Storage.WriteAsync("vhost", "/", smaller);
        var (read, _) = await Storage.ReadAsync<VirtualHostState>("vhost", "/");

        StoredStateAssert.Same(smaller, read!);
    }

    [Fact]
    public async Task Clear_deletes_the_record_and_only_that_record()
    {
        await Storage.WriteAsync("queue", "%2F/a", SampleStates.Queue());
        await Storage.WriteAsync("queue", "%2F/b", SampleStates.Queue());

        await Storage.ClearAsync("queue", "%2F/a");

        Assert.Equal((null, false), await Storage.ReadAsync<QueueState>("queue", "%2F/a"));
        Assert.True((await Storage.ReadAsync<QueueState>("queue", "%2F/b")).Exists);
        await Storage.ClearAsync("queue", "%2F/a");
        await Storage.ClearAsync("queue", "%2F/never-written");
        await Storage.WriteAsync("queue", "%2F/a", SampleStates.Queue());
        Assert.True((await Storage.ReadAsync<QueueState>("queue", "%2F/a")).Exists);
    }

    [Fact]
    public async Task State_name_and_grain_key_together_name_a_record_compared_exactly()
    {
        var keys = new[] { "%2F/q", "%2F/Q", "%2F/q ", "", "ключ/队列/🐇", "it's \"quoted\"; DROP TABLE grain_state; --" };
        foreach (var key in keys)
        {
            await Storage.WriteAsync("queue", key, new QueueState { VirtualHost = "queue:" + key });
            await Storage.WriteAsync("exchange", key, new ExchangeState { VirtualHost = "exchange:" + key });
        }

        foreach (var key in keys)
        {
            Assert.Equal("queue:" + key, (await Storage.ReadAsync<QueueState>("queue", key)).State!.VirtualHost);
            Assert.Equal("exchange:" + key, (await Storage.ReadAsync<ExchangeState>("exchange", key)).State!.VirtualHost);
        }
    }

    [Fact]
    public async Task Concurrent_writers_to_different_keys_all_land()
    {
        const int Writers = 64;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            for (var version = 0; version < 3; version++)
            {
                await Storage.WriteAsync("queue", $"%2F/q{i}", new QueueState
                {
                    VirtualHost = "/",
                    Declaration = SampleStates.Queue($"q{i}", new FieldTable([new("writer", i), new("version", version)])),
                });
            }
        })));

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async i =>
        {
            var (state, exists) = await Storage.ReadAsync<QueueState>("queue", $"%2F/q{i}");
            Assert.True(exists);
            Assert.Equal($"q{i}", state!.Declaration!.Name);
            StoredStateAssert.Same(new FieldTable([new("writer", i), new("version", 2)]), state.Declaration.Arguments);
        }));
    }

    [Fact]
    public async Task What_was_written_is_there_after_the_provider_is_reopened()
    {
        await Storage.WriteAsync("vhost", "/", SampleStates.VirtualHost());
        await Storage.WriteAsync("exchange", "%2F/logs", SampleStates.Exchange());
        await Storage.WriteAsync("queue", "%2F/gone", SampleStates.Queue());
        await Storage.ClearAsync("queue", "%2F/gone");
        await CloseAsync(Storage);

        var reopened = Open();

        StoredStateAssert.Same(SampleStates.VirtualHost(), (await reopened.ReadAsync<VirtualHostState>("vhost", "/")).State!);
        StoredStateAssert.Same(SampleStates.Exchange(), (await reopened.ReadAsync<ExchangeState>("exchange", "%2F/logs")).State!);
        Assert.False((await reopened.ReadAsync<QueueState>("queue", "%2F/gone")).Exists);
    }

    [Fact]
    public async Task Two_providers_over_one_store_see_each_others_writes()
    {
        var second = Open();

        await Storage.WriteAsync("queue", "%2F/shared", SampleStates.Queue());

        StoredStateAssert.Same(SampleStates.Queue(), (await second.ReadAsync<QueueState>("queue", "%2F/shared")).State!);
    }

    [Fact]
    public async Task A_state_the_format_cannot_hold_fails_the_write_naming_grain_and_state_and_keeps_the_old_row()
    {
        await Storage.WriteAsync("queue", "%2F/odd", SampleStates.Queue());
        var odd = new QueueState { Declaration = SampleStates.Queue("odd", new FieldTable([new("no-amqp-type", new Uri("http://example.invalid/"))])) };

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => Storage.WriteAsync("queue", "%2F/odd", odd));

        Assert.Contains("State 'queue' of grain '%2F/odd'", error.Message);
        Assert.Contains("no AMQP field value type", error.Message);
        StoredStateAssert.Same(SampleStates.Queue(), (await Storage.ReadAsync<QueueState>("queue", "%2F/odd")).State!);
    }

    [Fact]
    public async Task A_row_that_is_not_json_fails_the_read_naming_grain_and_state()
    {
        await Storage.WriteAsync("exchange", "%2F/broken", SampleStates.Exchange());
        await ExecuteSqlAsync("UPDATE grain_state SET payload = '{\"format\":1,\"state\":{not json' WHERE grain_key = '%2F/broken'");

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => Storage.ReadAsync<ExchangeState>("exchange", "%2F/broken"));

        Assert.Contains("'exchange'", error.Message);
        Assert.Contains("'%2F/broken'", error.Message);
        Assert.Contains("not valid", error.Message);
    }

    [Fact]
    public async Task A_row_with_a_damaged_field_table_fails_the_read_naming_grain_and_state()
    {
        await Storage.WriteAsync("queue", "%2F/damaged", new QueueState { Declaration = SampleStates.Queue("damaged", FieldTable.Empty) });
        // The empty table is stored as "AAAAAA==" (length 0); "AAAABQ==" claims 5 octets of entries and has none.
        await ExecuteSqlAsync("UPDATE grain_state SET payload = replace(payload, '\"AAAAAA==\"', '\"AAAABQ==\"') WHERE grain_key = '%2F/damaged'");

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => Storage.ReadAsync<QueueState>("queue", "%2F/damaged"));

        Assert.Contains("'queue'", error.Message);
        Assert.Contains("'%2F/damaged'", error.Message);
        Assert.Contains("not a valid AMQP field table", error.Message);
    }

    [Fact]
    public async Task A_row_from_a_newer_format_fails_the_read_saying_so()
    {
        await Storage.WriteAsync("queue", "%2F/future", SampleStates.Queue());
        await ExecuteSqlAsync("UPDATE grain_state SET payload = '{\"format\":2,\"state\":{}}' WHERE grain_key = '%2F/future'");

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => Storage.ReadAsync<QueueState>("queue", "%2F/future"));

        Assert.Contains("'%2F/future'", error.Message);
        Assert.Contains("format version 2", error.Message);
    }

    [Fact]
    public async Task A_store_whose_schema_is_newer_than_the_broker_is_refused_on_open()
    {
        await ExecuteSqlAsync("INSERT INTO grain_storage_schema (version, description) VALUES (99, 'from the future')");

        var error = Assert.Throws<GrainStorageException>(() => Open());

        Assert.Contains("version 99", error.Message);
    }

    [Fact]
    public async Task The_schema_is_made_once_and_each_row_counts_its_writes()
    {
        await Storage.WriteAsync("queue", "%2F/counted", new QueueState());
        await Storage.WriteAsync("queue", "%2F/counted", new QueueState());
        Open();

        Assert.Equal(1, await QueryLongAsync("SELECT COUNT(*) FROM grain_storage_schema"));
        Assert.Equal(1, await QueryLongAsync("SELECT MAX(version) FROM grain_storage_schema"));
        Assert.Equal(2, await QueryLongAsync("SELECT version FROM grain_state WHERE grain_key = '%2F/counted'"));

        await Storage.ClearAsync("queue", "%2F/counted");
        await Storage.WriteAsync("queue", "%2F/counted", new QueueState());
        Assert.Equal(1, await QueryLongAsync("SELECT version FROM grain_state WHERE grain_key = '%2F/counted'"));
    }
}
