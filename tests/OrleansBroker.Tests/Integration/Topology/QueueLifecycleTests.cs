using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>queue.purge, queue.delete (if-empty, if-unused) and auto-delete queues.</summary>
public sealed class QueueLifecycleTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static async Task FillAsync(IConnection conn, string queue, int count)
    {
        await using var pub = await ConfirmingChannelAsync(conn);
        for (var i = 0; i < count; i++)
        {
            await PublishAsync(pub, string.Empty, queue, $"m{i}");
        }
    }

    [Fact]
    public async Task Purge_returns_the_number_of_messages_removed()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await FillAsync(t.Connection, queue, 5);

        var purged = await t.Channel.QueuePurgeAsync(queue);

        Assert.Equal(5u, purged);
        Assert.Equal(0u, (await t.Channel.QueueDeclarePassiveAsync(queue)).MessageCount);
        Assert.Null(await t.Channel.BasicGetAsync(queue, autoAck: true));
    }

    [Fact]
    public async Task Purge_of_an_empty_queue_returns_zero()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();

        Assert.Equal(0u, await t.Channel.QueuePurgeAsync(queue));
    }

    [Fact]
    public async Task Purge_does_not_count_unacknowledged_messages()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await FillAsync(t.Connection, queue, 3);
        var held = await t.Channel.BasicGetAsync(queue, autoAck: false);
        Assert.NotNull(held);

        var purged = await t.Channel.QueuePurgeAsync(queue);

        Assert.Equal(2u, purged);
    }

    [Fact]
    public async Task Purge_of_a_missing_queue_is_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var missing = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.QueuePurgeAsync(missing),
            Amqp.NotFound, $"NOT_FOUND - no queue '{missing}' in vhost '/'", Amqp.QueueClass, Amqp.QueuePurge);
    }

    [Fact]
    public async Task Delete_returns_the_number_of_messages_and_removes_the_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await FillAsync(t.Connection, queue, 4);

        var deleted = await t.Channel.QueueDeleteAsync(queue);

        Assert.Equal(4u, deleted);
        await QueueMissingAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Delete_of_an_empty_queue_returns_zero()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();

        Assert.Equal(0u, await t.Channel.QueueDeleteAsync(queue));
    }

    [Fact]
    public async Task Delete_of_a_missing_queue_succeeds_with_zero()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        var deleted = await t.Channel.QueueDeleteAsync(BrokerFixture.UniqueName("missing"));
        var deletedIfEmpty = await t.Channel.QueueDeleteAsync(BrokerFixture.UniqueName("missing"), ifUnused: true, ifEmpty: true);

        Assert.Equal(0u, deleted);
        Assert.Equal(0u, deletedIfEmpty);
        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Delete_if_empty_of_a_queue_with_messages_is_406_and_keeps_them()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await FillAsync(t.Connection, queue, 2);

        await ClosedWithAsync(
            () => t.Channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: true),
            Amqp.PreconditionFailed, $"PRECONDITION_FAILED - queue '{queue}' in vhost '/' not empty",
            Amqp.QueueClass, Amqp.QueueDelete);

        await using var ch = await t.NewChannelAsync();
        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(queue)).MessageCount);
    }

    [Fact]
    public async Task Delete_if_empty_of_an_empty_queue_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();

        Assert.Equal(0u, await t.Channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: true));
        await QueueMissingAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Delete_if_unused_of_a_queue_with_a_consumer_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await using var consumerChannel = await t.NewChannelAsync();
        await consumerChannel.BasicConsumeAsync(queue, autoAck: true, new AsyncEventingBasicConsumer(consumerChannel));

        await ClosedWithAsync(
            () => t.Channel.QueueDeleteAsync(queue, ifUnused: true, ifEmpty: false),
            Amqp.PreconditionFailed, $"PRECONDITION_FAILED - queue '{queue}' in vhost '/' in use",
            Amqp.QueueClass, Amqp.QueueDelete);
    }

    [Fact]
    public async Task Delete_if_unused_ignores_bindings_and_messages()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, "amq.direct", queue);
        await FillAsync(t.Connection, queue, 1);

        Assert.Equal(1u, await t.Channel.QueueDeleteAsync(queue, ifUnused: true, ifEmpty: false));
        await QueueMissingAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Deleting_a_queue_cancels_its_consumers()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await using var consumerChannel = await t.NewChannelAsync();
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        var cancelled = new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer.UnregisteredAsync += (_, args) =>
        {
            cancelled.TrySetResult(args.ConsumerTags);
            return Task.CompletedTask;
        };
        var tag = await consumerChannel.BasicConsumeAsync(queue, autoAck: true, consumer);

        await t.Channel.QueueDeleteAsync(queue);

        Assert.Equal([tag], await Within(cancelled.Task, "basic.cancel from the broker"));
        Assert.True(consumerChannel.IsOpen);
    }

    [Fact]
    public async Task Deleting_a_queue_removes_its_bindings()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "k");

        await t.Channel.QueueDeleteAsync(queue);
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "k", "unroutable-now");

        Assert.Empty(await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Auto_delete_queue_that_never_had_a_consumer_stays()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("ad");
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true);
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, queue, "m");
        Assert.Equal(["m"], await DrainAsync(t.Channel, queue));

        await QueueExistsAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Auto_delete_queue_is_deleted_when_its_last_consumer_cancels()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("ad");
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true);
        var first = await t.Channel.BasicConsumeAsync(queue, autoAck: true, new AsyncEventingBasicConsumer(t.Channel));
        var second = await t.Channel.BasicConsumeAsync(queue, autoAck: true, new AsyncEventingBasicConsumer(t.Channel));

        await t.Channel.BasicCancelAsync(first);
        await QueueExistsAsync(t.Connection, queue);

        await t.Channel.BasicCancelAsync(second);
        await QueueEventuallyMissingAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Auto_delete_queue_is_deleted_when_its_consumers_channel_closes()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("ad");
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true);
        var consumerChannel = await t.NewChannelAsync();
        await consumerChannel.BasicConsumeAsync(queue, autoAck: true, new AsyncEventingBasicConsumer(consumerChannel));

        await consumerChannel.CloseAsync();
        await consumerChannel.DisposeAsync();

        await QueueEventuallyMissingAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Auto_delete_queue_is_not_deleted_by_basic_get()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("ad");
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true);
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, queue, "m");

        var got = await t.Channel.BasicGetAsync(queue, autoAck: false);
        Assert.NotNull(got);
        await t.Channel.BasicAckAsync(got.DeliveryTag, multiple: false);

        await QueueExistsAsync(t.Connection, queue);
    }
}
