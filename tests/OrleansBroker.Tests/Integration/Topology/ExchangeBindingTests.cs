using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>exchange.bind / exchange.unbind: routing through chains of exchanges, and their errors.</summary>
public sealed class ExchangeBindingTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Fanout_to_direct_exchange_binding_routes_through_to_queues()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Direct, "dst");
        var qa = await t.QueueAsync("qa");
        var qb = await t.QueueAsync("qb");
        await t.Channel.ExchangeBindAsync(destination, source, "ignored-by-fanout");
        await t.Channel.QueueBindAsync(qa, destination, "a");
        await t.Channel.QueueBindAsync(qb, destination, "b");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, source, "a", "to-a");
        await PublishAsync(pub, source, "b", "to-b");
        await PublishAsync(pub, source, "c", "to-nobody");

        Assert.Equal(["to-a"], await DrainAsync(t.Channel, qa));
        Assert.Equal(["to-b"], await DrainAsync(t.Channel, qb));
    }

    [Fact]
    public async Task Exchange_binding_key_filters_on_the_source_exchange()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Direct, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(destination, source, "pass");
        await t.Channel.QueueBindAsync(queue, destination, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, source, "pass", "1");
        await PublishAsync(pub, source, "block", "2");

        Assert.Equal(["1"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Topic_to_topic_exchange_binding_applies_both_patterns()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Topic, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Topic, "dst");
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(destination, source, "stock.#");
        await t.Channel.QueueBindAsync(queue, destination, "*.*.nyse");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, source, "stock.ibm.nyse", "1");
        await PublishAsync(pub, source, "stock.ibm.lse", "2");
        await PublishAsync(pub, source, "bond.ibm.nyse", "3");
        await PublishAsync(pub, source, "stock.nyse", "4");

        Assert.Equal(["1"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Chain_of_three_exchanges_delivers()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var x1 = await t.ExchangeAsync(ExchangeType.Direct, "x1");
        var x2 = await t.ExchangeAsync(ExchangeType.Topic, "x2");
        var x3 = await t.ExchangeAsync(ExchangeType.Fanout, "x3");
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(x2, x1, "a.b");
        await t.Channel.ExchangeBindAsync(x3, x2, "a.*");
        await t.Channel.QueueBindAsync(queue, x3, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, x1, "a.b", "through");

        Assert.Equal(["through"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Unbind_stops_routing_through_the_exchange_binding()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Direct, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(destination, source, "k");
        await t.Channel.QueueBindAsync(queue, destination, string.Empty);
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, source, "k", "before");

        await t.Channel.ExchangeUnbindAsync(destination, source, "k");
        await PublishAsync(pub, source, "k", "after");

        Assert.Equal(["before"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Queue_reachable_directly_and_through_an_exchange_binding_gets_one_copy()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, source, string.Empty);
        await t.Channel.ExchangeBindAsync(destination, source, string.Empty);
        await t.Channel.QueueBindAsync(queue, destination, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, source, string.Empty, "once");

        Assert.Equal(["once"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Cycle_of_exchange_bindings_delivers_once_and_terminates()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var x1 = await t.ExchangeAsync(ExchangeType.Fanout, "x1");
        var x2 = await t.ExchangeAsync(ExchangeType.Fanout, "x2");
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(x2, x1, string.Empty);
        await t.Channel.ExchangeBindAsync(x1, x2, string.Empty);
        await t.Channel.QueueBindAsync(queue, x2, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, x1, string.Empty, "from-x1");
        await PublishAsync(pub, x2, string.Empty, "from-x2");

        Assert.Equal(["from-x1", "from-x2"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Exchange_bound_to_itself_delivers_once()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var x = await t.ExchangeAsync(ExchangeType.Fanout);
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(x, x, string.Empty);
        await t.Channel.QueueBindAsync(queue, x, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, x, string.Empty, "m");

        Assert.Equal(["m"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Binding_twice_is_idempotent_and_one_unbind_removes_it()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Direct, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(destination, source, "k");
        await t.Channel.ExchangeBindAsync(destination, source, "k");
        await t.Channel.QueueBindAsync(queue, destination, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, source, "k", "1");
        await t.Channel.ExchangeUnbindAsync(destination, source, "k");
        await PublishAsync(pub, source, "k", "2");

        Assert.Equal(["1"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Exchange_bind_with_missing_source_is_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        var missing = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.ExchangeBindAsync(destination, missing, "k"),
            Amqp.NotFound, $"NOT_FOUND - no exchange '{missing}' in vhost '/'", Amqp.ExchangeClass, Amqp.ExchangeBind);
    }

    [Fact]
    public async Task Exchange_bind_with_missing_destination_is_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var missing = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.ExchangeBindAsync(missing, source, "k"),
            Amqp.NotFound, $"NOT_FOUND - no exchange '{missing}' in vhost '/'", Amqp.ExchangeClass, Amqp.ExchangeBind);
    }

    [Fact]
    public async Task Exchange_unbind_of_a_binding_that_does_not_exist_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Direct, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");

        await t.Channel.ExchangeUnbindAsync(destination, source, "never-bound");

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Exchange_unbind_with_missing_source_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");

        await t.Channel.ExchangeUnbindAsync(destination, BrokerFixture.UniqueName("missing"), "k");

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Exchange_unbind_with_missing_destination_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");

        await t.Channel.ExchangeUnbindAsync(BrokerFixture.UniqueName("missing"), source, "k");

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Deleting_the_destination_exchange_removes_the_exchange_binding()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(destination, source, string.Empty);
        await t.Channel.QueueBindAsync(queue, destination, string.Empty);

        await t.Channel.ExchangeDeleteAsync(destination);
        await t.Channel.ExchangeDeclareAsync(destination, ExchangeType.Fanout, durable: false, autoDelete: false);
        await t.Channel.QueueBindAsync(queue, destination, string.Empty);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, source, string.Empty, "lost");
        await PublishAsync(pub, destination, string.Empty, "direct");

        Assert.Equal(["direct"], await DrainAsync(t.Channel, queue));
    }
}
