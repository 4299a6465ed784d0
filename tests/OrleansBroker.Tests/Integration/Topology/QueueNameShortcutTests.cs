using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>
/// AMQP 0-9-1 shortcuts: an empty queue name means the queue most recently declared on the channel, and
/// queue.bind with empty queue and routing key binds that queue under its own name.
/// </summary>
public sealed class QueueNameShortcutTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Bind_with_empty_queue_and_key_binds_the_last_declared_queue_under_its_name()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();

        await t.Channel.QueueBindAsync(string.Empty, exchange, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, queue, "by-name");
        await PublishAsync(pub, exchange, string.Empty, "empty-key");
        Assert.Equal(["by-name"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Bind_with_empty_queue_and_a_key_binds_the_last_declared_queue_under_that_key()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var first = await t.QueueAsync("first");
        var last = await t.QueueAsync("last");

        await t.Channel.QueueBindAsync(string.Empty, exchange, "k");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "k", "m");
        Assert.Equal(["m"], await DrainAsync(t.Channel, last));
        Assert.Empty(await DrainAsync(t.Channel, first));
    }

    [Fact]
    public async Task Empty_name_after_a_server_named_declare_means_the_generated_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var declared = await t.Channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: false);
        t.Track(declared.QueueName);
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, declared.QueueName, "m");

        Assert.Equal(1u, await t.Channel.QueuePurgeAsync(string.Empty));
    }

    [Fact]
    public async Task Purge_with_empty_name_purges_the_last_declared_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, queue, "1");
        await PublishAsync(pub, string.Empty, queue, "2");

        Assert.Equal(2u, await t.Channel.QueuePurgeAsync(string.Empty));
    }

    [Fact]
    public async Task Delete_with_empty_name_deletes_the_last_declared_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, queue, "1");

        Assert.Equal(1u, await t.Channel.QueueDeleteAsync(string.Empty));
        await QueueMissingAsync(t.Connection, queue);
    }

    [Fact]
    public async Task Get_with_empty_name_reads_the_last_declared_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, queue, "m");

        Assert.Equal(["m"], await DrainAsync(t.Channel, string.Empty));
    }

    [Fact]
    public async Task Shortcut_is_per_channel()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        await t.QueueAsync();
        await using var other = await t.NewChannelAsync();

        await ClosedWithAsync(
            () => other.QueueBindAsync(string.Empty, exchange, "k"),
            Amqp.NotFound, "NOT_FOUND - no previously declared queue", Amqp.QueueClass, Amqp.QueueBind);
    }

    [Fact]
    public async Task Empty_queue_name_without_a_previous_declare_is_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await ClosedWithAsync(
            () => t.Channel.QueuePurgeAsync(string.Empty),
            Amqp.NotFound, "NOT_FOUND - no previously declared queue", Amqp.QueueClass, Amqp.QueuePurge);
    }
}
