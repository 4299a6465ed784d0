using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.Durability;

/// <summary>
/// Graceful restarts of our broker on the same data directory: what RabbitMQ keeps (durable
/// exchanges, durable queues, bindings between them, persistent messages) comes back, in order,
/// byte-exact, delivered-but-unacked ones flagged redelivered; what it drops (transient entities
/// and messages, exclusive queues) is gone. Run on SQLite and on PostgreSQL.
/// </summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public Task Durable_entities_and_persistent_messages_survive_a_restart_on_sqlite() => DurableStateSurvivesRestart(postgres: null);

    [PostgresFact]
    public async Task Durable_entities_and_persistent_messages_survive_a_restart_on_postgres()
    {
        // Each run keeps its grain state in a schema of its own, dropped after.
        await using var schema = await PostgresTestSchema.CreateAsync();
        await DurableStateSurvivesRestart(schema.ConnectionString);
    }

    [Fact]
    public async Task Messages_published_after_a_restart_are_stored_too_and_ids_do_not_collide()
    {
        var queue = BrokerFixture.UniqueName("again");
        await using (var broker = await StartAsync(null))
        await using (var session = await OpenAsync(broker))
        {
            await session.Channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await PublishAsync(session.Channel, string.Empty, queue, "first", persistent: true);
        }

        await using (var broker = await StartAsync(null))
        await using (var session = await OpenAsync(broker))
        {
            await PublishAsync(session.Channel, string.Empty, queue, "second", persistent: true);
        }

        await using (var broker = await StartAsync(null))
        await using (var session = await OpenAsync(broker))
        {
            Assert.Equal(["first", "second"], await DrainAsync(session.Channel, queue, ack: true));
        }

        await using (var broker = await StartAsync(null))
        await using (var session = await OpenAsync(broker))
        {
            Assert.Equal(0u, (await session.Channel.QueueDeclarePassiveAsync(queue)).MessageCount);
        }
    }

    [Fact]
    public async Task A_deleted_durable_queue_stays_deleted_and_a_purge_is_kept()
    {
        var deleted = BrokerFixture.UniqueName("deleted");
        var purged = BrokerFixture.UniqueName("purged");
        await using (var broker = await StartAsync(null))
        await using (var session = await OpenAsync(broker))
        {
            foreach (var queue in new[] { deleted, purged })
            {
                await session.Channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
                await PublishAsync(session.Channel, string.Empty, queue, "m", persistent: true);
            }

            await session.Channel.QueueDeleteAsync(deleted);
            Assert.Equal(1u, await session.Channel.QueuePurgeAsync(purged));
        }

        await using (var broker = await StartAsync(null))
        await using (var session = await OpenAsync(broker))
        {
            Assert.Equal(0u, (await session.Channel.QueueDeclarePassiveAsync(purged)).MessageCount);
            var missing = await Assert.ThrowsAsync<OperationInterruptedException>(() => session.Channel.QueueDeclarePassiveAsync(deleted));
            Assert.Equal((ushort)404, missing.ShutdownReason?.ReplyCode);
        }
    }

    private async Task DurableStateSurvivesRestart(string? postgres)
    {
        var exchange = BrokerFixture.UniqueName("orders");
        var durableQueue = BrokerFixture.UniqueName("orders-q");
        var transientQueue = BrokerFixture.UniqueName("transient-q");
        var transientExchange = BrokerFixture.UniqueName("transient-x");
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            CorrelationId = "c-1",
            Headers = new Dictionary<string, object?> { ["tenant"] = "acme", ["attempt"] = 3, ["big"] = long.MaxValue },
        };

        await using (var broker = await StartAsync(postgres))
        {
            await using var connection = await ConnectAsync(broker);
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
            await channel.ExchangeDeclareAsync(transientExchange, ExchangeType.Fanout, durable: false, autoDelete: false);
            await channel.QueueDeclareAsync(durableQueue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync(transientQueue, durable: false, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(durableQueue, exchange, "order.*");
            await channel.QueueBindAsync(transientQueue, exchange, "order.*");

            for (var i = 1; i <= 10; i++)
            {
                await channel.BasicPublishAsync(exchange, "order.created", mandatory: true, properties, System.Text.Encoding.UTF8.GetBytes($"persistent-{i}"));
            }

            await channel.BasicPublishAsync(exchange, "order.created", mandatory: true, new BasicProperties { Persistent = false }, "transient"u8.ToArray());

            // Ack the first two, leave the third delivered but unacked when the broker stops.
            for (var i = 1; i <= 3; i++)
            {
                var got = await channel.BasicGetAsync(durableQueue, autoAck: false);
                Assert.NotNull(got);
                if (i < 3)
                {
                    await channel.BasicAckAsync(got.DeliveryTag, multiple: false);
                }
            }

            // A round trip so the acks have been processed before the broker stops.
            await channel.QueueDeclarePassiveAsync(durableQueue);
        }

        await using (var broker = await StartAsync(postgres))
        {
            await using var connection = await ConnectAsync(broker);
            await using var channel = await connection.CreateChannelAsync();

            await channel.ExchangeDeclarePassiveAsync(exchange);
            var ok = await channel.QueueDeclarePassiveAsync(durableQueue);
            Assert.Equal(8u, ok.MessageCount);

            var first = await channel.BasicGetAsync(durableQueue, autoAck: true);
            Assert.NotNull(first);
            Assert.True(first.Redelivered);
            Assert.Equal("persistent-3", System.Text.Encoding.UTF8.GetString(first.Body.Span));
            Assert.Equal("application/json", first.BasicProperties.ContentType);
            Assert.Equal("c-1", first.BasicProperties.CorrelationId);
            Assert.Equal(DeliveryModes.Persistent, first.BasicProperties.DeliveryMode);
            Assert.Equal("acme"u8.ToArray(), (byte[])first.BasicProperties.Headers!["tenant"]!);
            Assert.Equal(3, first.BasicProperties.Headers["attempt"]);
            Assert.Equal(long.MaxValue, first.BasicProperties.Headers["big"]);

            for (var i = 4; i <= 10; i++)
            {
                var next = await channel.BasicGetAsync(durableQueue, autoAck: true);
                Assert.NotNull(next);
                Assert.False(next.Redelivered);
                Assert.Equal($"persistent-{i}", System.Text.Encoding.UTF8.GetString(next.Body.Span));
            }

            Assert.Null(await channel.BasicGetAsync(durableQueue, autoAck: true));

            // The binding survived with the exchange and the queue.
            await using var confirming = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await confirming.BasicPublishAsync(exchange, "order.shipped", mandatory: true, new BasicProperties { Persistent = true }, "after"u8.ToArray());
            Assert.Equal(1u, (await confirming.QueueDeclarePassiveAsync(durableQueue)).MessageCount);
        }

        await using (var broker = await StartAsync(postgres))
        {
            await using var connection = await ConnectAsync(broker);
            foreach (var (kind, name) in new[] { ("queue", transientQueue), ("exchange", transientExchange) })
            {
                await using var channel = await connection.CreateChannelAsync();
                var e = await Assert.ThrowsAsync<OperationInterruptedException>(() => kind == "queue"
                    ? channel.QueueDeclarePassiveAsync(name)
                    : channel.ExchangeDeclarePassiveAsync(name));
                Assert.Equal((ushort)404, e.ShutdownReason?.ReplyCode);
            }
        }
    }

    private Task<BrokerHost> StartAsync(string? postgres) => BrokerHost.StartAsync(new BrokerOptions
    {
        AmqpPort = 0,
        Bind = "127.0.0.1",
        DataDir = _dataDir,
        PostgresConnectionString = postgres,
    });

    private static Task<IConnection> ConnectAsync(BrokerHost broker) =>
        new ConnectionFactory { HostName = "127.0.0.1", Port = broker.AmqpPort, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    private static async Task<ClientSession> OpenAsync(BrokerHost broker)
    {
        var connection = await ConnectAsync(broker);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        return new ClientSession(connection, channel);
    }

    private static async Task PublishAsync(IChannel channel, string exchange, string routingKey, string body, bool persistent) =>
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, new BasicProperties { Persistent = persistent }, System.Text.Encoding.UTF8.GetBytes(body));

    private static async Task<List<string>> DrainAsync(IChannel channel, string queue, bool ack)
    {
        var bodies = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: ack) is { } got)
        {
            bodies.Add(System.Text.Encoding.UTF8.GetString(got.Body.Span));
        }

        return bodies;
    }
}
