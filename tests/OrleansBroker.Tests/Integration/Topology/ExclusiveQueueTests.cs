using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>Exclusive queues: locked against other connections, deleted with the owning connection.</summary>
public sealed class ExclusiveQueueTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static string Locked(string queue) =>
        $"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{queue}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";

    private static async Task<(string Queue, IChannel Other)> ExclusiveQueueAndOtherChannelAsync(TopologyScope t)
    {
        var queue = t.QueueName("excl");
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
        var otherConn = await t.ConnectAsync();
        var other = await otherConn.CreateChannelAsync();
        return (queue, other);
    }

    [Fact]
    public async Task Owner_can_use_its_exclusive_queue_from_any_of_its_channels()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("excl");
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
        await using var second = await t.NewChannelAsync();

        var ok = await second.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
        await second.QueueBindAsync(queue, "amq.direct", queue);
        await second.BasicConsumeAsync(queue, autoAck: true, new AsyncEventingBasicConsumer(second));
        await second.QueuePurgeAsync(queue);

        Assert.Equal(queue, ok.QueueName);
    }

    [Fact]
    public async Task Other_connection_declaring_the_queue_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false),
            Amqp.ResourceLocked, Locked(queue), Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Other_connection_declaring_the_queue_as_exclusive_too_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false),
            Amqp.ResourceLocked, Locked(queue), Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Other_connection_passive_declare_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.QueueDeclarePassiveAsync(queue),
            Amqp.ResourceLocked, Locked(queue), Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Other_connection_consuming_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.BasicConsumeAsync(queue, autoAck: true, new AsyncEventingBasicConsumer(other)),
            Amqp.ResourceLocked, Locked(queue), Amqp.BasicClass, Amqp.BasicConsume);
    }

    [Fact]
    public async Task Other_connection_basic_get_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.BasicGetAsync(queue, autoAck: true),
            Amqp.ResourceLocked, Locked(queue), Amqp.BasicClass, Amqp.BasicGet);
    }

    [Fact]
    public async Task Other_connection_binding_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.QueueBindAsync(queue, "amq.direct", "k"),
            Amqp.ResourceLocked, Locked(queue), Amqp.QueueClass, Amqp.QueueBind);
    }

    [Fact]
    public async Task Other_connection_unbinding_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);
        await t.Channel.QueueBindAsync(queue, "amq.direct", "k");

        await ClosedWithAsync(
            () => other.QueueUnbindAsync(queue, "amq.direct", "k"),
            Amqp.ResourceLocked, Locked(queue), Amqp.QueueClass, Amqp.QueueUnbind);
    }

    [Fact]
    public async Task Other_connection_purging_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.QueuePurgeAsync(queue),
            Amqp.ResourceLocked, Locked(queue), Amqp.QueueClass, Amqp.QueuePurge);
    }

    [Fact]
    public async Task Other_connection_deleting_is_405_and_the_queue_stays()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (queue, other) = await ExclusiveQueueAndOtherChannelAsync(t);

        await ClosedWithAsync(
            () => other.QueueDeleteAsync(queue),
            Amqp.ResourceLocked, Locked(queue), Amqp.QueueClass, Amqp.QueueDelete);

        await QueueExistsAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Other_connection_can_publish_to_an_exclusive_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("excl");
        await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
        var otherConn = await t.ConnectAsync();

        await using var pub = await ConfirmingChannelAsync(otherConn);
        await PublishAsync(pub, string.Empty, queue, "from-elsewhere");

        Assert.Equal(["from-elsewhere"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Exclusive_queue_survives_its_declaring_channel_closing()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("excl");
        await using (var ch = await t.NewChannelAsync())
        {
            await ch.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
            await ch.CloseAsync();
        }

        await QueueExistsAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Exclusive_queue_is_deleted_when_the_owning_connection_closes()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("excl");
        var owner = await fixture.ConnectAsync();
        var ch = await owner.CreateChannelAsync();
        await ch.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
        await ch.QueueBindAsync(queue, "amq.fanout", string.Empty);

        await owner.CloseAsync();
        await owner.DisposeAsync();

        await QueueEventuallyMissingAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Exclusive_queue_name_is_free_again_after_the_owner_closed()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = t.QueueName("excl");
        await using (var owner = await fixture.ConnectAsync())
        {
            await using var ch = await owner.CreateChannelAsync();
            await ch.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
            await owner.CloseAsync();
        }

        await QueueEventuallyMissingAsync(t.Connection, queue);
        var ok = await t.Channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);

        Assert.Equal(queue, ok.QueueName);
    }
}
