using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>queue.bind / queue.unbind: errors, idempotence and binding arguments.</summary>
public sealed class QueueBindingTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Bind_to_a_missing_exchange_is_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        var missing = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.QueueBindAsync(queue, missing, "k"),
            Amqp.NotFound, $"NOT_FOUND - no exchange '{missing}' in vhost '/'", Amqp.QueueClass, Amqp.QueueBind);
    }

    [Fact]
    public async Task Bind_of_a_missing_queue_is_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var missing = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.QueueBindAsync(missing, exchange, "k"),
            Amqp.NotFound, $"NOT_FOUND - no queue '{missing}' in vhost '/'", Amqp.QueueClass, Amqp.QueueBind);
    }

    [Fact]
    public async Task Bind_when_both_queue_and_exchange_are_missing_reports_the_exchange()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var missingQueue = BrokerFixture.UniqueName("missing-q");
        var missingExchange = BrokerFixture.UniqueName("missing-x");

        await ClosedWithAsync(
            () => t.Channel.QueueBindAsync(missingQueue, missingExchange, "k"),
            Amqp.NotFound, $"NOT_FOUND - no exchange '{missingExchange}' in vhost '/'", Amqp.QueueClass, Amqp.QueueBind);
    }

    [Fact]
    public async Task Unbind_of_a_binding_that_does_not_exist_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();

        await t.Channel.QueueUnbindAsync(queue, exchange, "never-bound");

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Unbind_from_a_missing_exchange_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();

        await t.Channel.QueueUnbindAsync(queue, BrokerFixture.UniqueName("missing"), "k");

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Unbind_of_a_missing_queue_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);

        await t.Channel.QueueUnbindAsync(BrokerFixture.UniqueName("missing"), exchange, "k");

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Binding_twice_is_idempotent_and_one_unbind_removes_it()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "k");
        await t.Channel.QueueBindAsync(queue, exchange, "k");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "k", "1");
        await t.Channel.QueueUnbindAsync(queue, exchange, "k");
        await PublishAsync(pub, exchange, "k", "2");

        Assert.Equal(["1"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Unbind_removes_only_the_named_routing_key()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "a");
        await t.Channel.QueueBindAsync(queue, exchange, "b");

        await t.Channel.QueueUnbindAsync(queue, exchange, "a");
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "a", "to-a");
        await PublishAsync(pub, exchange, "b", "to-b");

        Assert.Equal(["to-b"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Binding_arguments_are_part_of_the_binding_identity()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        var args = new Dictionary<string, object?> { ["tag"] = "blue" };
        await t.Channel.QueueBindAsync(queue, exchange, "k", args);
        await using var pub = await ConfirmingChannelAsync(t.Connection);

        // Unbinding without the arguments names a different binding: nothing changes.
        await t.Channel.QueueUnbindAsync(queue, exchange, "k");
        await PublishAsync(pub, exchange, "k", "still-bound");

        await t.Channel.QueueUnbindAsync(queue, exchange, "k", args);
        await PublishAsync(pub, exchange, "k", "unbound");

        Assert.Equal(["still-bound"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Same_key_with_and_without_arguments_are_two_bindings_but_one_delivery()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "k", new Dictionary<string, object?> { ["tag"] = "blue" });
        await t.Channel.QueueBindAsync(queue, exchange, "k");
        await using var pub = await ConfirmingChannelAsync(t.Connection);

        await PublishAsync(pub, exchange, "k", "once");
        await t.Channel.QueueUnbindAsync(queue, exchange, "k");
        await PublishAsync(pub, exchange, "k", "still-bound-with-args");

        Assert.Equal(["once", "still-bound-with-args"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Queue_can_be_bound_to_predeclared_exchanges()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, "amq.direct", queue);
        await t.Channel.QueueBindAsync(queue, "amq.topic", queue + ".#");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, "amq.direct", queue, "direct");
        await PublishAsync(pub, "amq.topic", queue + ".x.y", "topic");

        Assert.Equal(["direct", "topic"], await DrainAsync(t.Channel, queue));
        await t.Channel.QueueUnbindAsync(queue, "amq.direct", queue);
        await t.Channel.QueueUnbindAsync(queue, "amq.topic", queue + ".#");
    }

    [Fact]
    public async Task Get_reports_the_exchange_and_routing_key_the_message_was_published_with()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Topic);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "a.*");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "a.b", "m");

        var got = await t.Channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(got);
        Assert.Equal(exchange, got.Exchange);
        Assert.Equal("a.b", got.RoutingKey);
    }
}
