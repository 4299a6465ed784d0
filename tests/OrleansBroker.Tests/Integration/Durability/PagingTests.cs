using System.Text;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansBroker.Tests.Integration.Durability;

/// <summary>
/// A backlog far larger than the queue's resident limit: persistent messages beyond it are paged
/// out and read back as they near the head. What the client sees must not change: every message,
/// in order, with its body and properties, through consumers, basic.get, requeues and restarts.
/// </summary>
public sealed class PagingTests : IAsyncLifetime
{
    /// <summary>Small enough that nearly the whole backlog is paged.</summary>
    private const long ResidentLimit = 16 * 1024;

    private const int Backlog = 3000;

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
    public async Task A_paged_backlog_is_consumed_in_order_with_its_bodies()
    {
        var queue = BrokerFixture.UniqueName("paged");
        await using var broker = await StartAsync();
        await using var connection = await ConnectAsync(broker);
        await PublishBacklogAsync(connection, queue);

        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 100, global: false);
        var received = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            Assert.Equal("text/plain", delivery.BasicProperties.ContentType);
            received.Add(Encoding.ASCII.GetString(delivery.Body.Span));
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            if (received.Count == Backlog)
            {
                done.TrySetResult();
            }
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, Backlog).Select(Body), received);
        Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);
    }

    [Fact]
    public async Task A_paged_backlog_survives_a_restart_and_drains_by_basic_get_with_requeues()
    {
        var queue = BrokerFixture.UniqueName("paged-restart");
        await using (var broker = await StartAsync())
        await using (var connection = await ConnectAsync(broker))
        {
            await PublishBacklogAsync(connection, queue);
        }

        await using (var broker = await StartAsync())
        await using (var connection = await ConnectAsync(broker))
        await using (var channel = await connection.CreateChannelAsync())
        {
            Assert.Equal((uint)Backlog, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);

            // Take one, give it back: it returns to the head, redelivered.
            var first = await channel.BasicGetAsync(queue, autoAck: false);
            Assert.NotNull(first);
            Assert.Equal(Body(0), Encoding.ASCII.GetString(first.Body.Span));
            await channel.BasicNackAsync(first.DeliveryTag, multiple: false, requeue: true);

            var received = new List<string>();
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
            {
                received.Add(Encoding.ASCII.GetString(got.Body.Span));
                Assert.Equal(received.Count == 1, got.Redelivered);
            }

            Assert.Equal(Enumerable.Range(0, Backlog).Select(Body), received);
        }
    }

    private static string Body(int i) => $"message-{i:D6}-" + new string('x', 1000);

    private static async Task PublishBacklogAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var properties = new BasicProperties { Persistent = true, ContentType = "text/plain" };
        for (var batch = 0; batch < Backlog; batch += 100)
        {
            var publishes = Enumerable.Range(batch, 100)
                .Select(i => channel.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, Encoding.ASCII.GetBytes(Body(i))).AsTask());
            await Task.WhenAll(publishes);
        }
    }

    private Task<BrokerHost> StartAsync() => BrokerHost.StartAsync(new BrokerOptions
    {
        AmqpPort = 0,
        Bind = "127.0.0.1",
        DataDir = _dataDir,
        QueueResidentBytes = ResidentLimit,
    });

    private static Task<IConnection> ConnectAsync(BrokerHost broker) =>
        new ConnectionFactory { HostName = "127.0.0.1", Port = broker.AmqpPort, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();
}
