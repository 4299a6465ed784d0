using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>Routing through direct and fanout exchanges, observed with basic.get after confirmed publishes.</summary>
public sealed class DirectAndFanoutRoutingTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Direct_routes_by_exact_key_to_each_bound_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var errors = await t.QueueAsync("errors");
        var all = await t.QueueAsync("all");
        await t.Channel.QueueBindAsync(errors, exchange, "error");
        await t.Channel.QueueBindAsync(all, exchange, "error");
        await t.Channel.QueueBindAsync(all, exchange, "info");
        await t.Channel.QueueBindAsync(all, exchange, "warning");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "info", "i");
        await PublishAsync(pub, exchange, "error", "e");
        await PublishAsync(pub, exchange, "warning", "w");
        await PublishAsync(pub, exchange, "debug", "d");

        Assert.Equal(["e"], await DrainAsync(t.Channel, errors));
        Assert.Equal(["i", "e", "w"], await DrainAsync(t.Channel, all));
    }

    [Fact]
    public async Task Direct_keys_are_case_sensitive_and_not_patterns()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "Key");
        await t.Channel.QueueBindAsync(queue, exchange, "a.*");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "key", "lower");
        await PublishAsync(pub, exchange, "KEY", "upper");
        await PublishAsync(pub, exchange, "Key", "exact");
        await PublishAsync(pub, exchange, "a.b", "pattern-like");
        await PublishAsync(pub, exchange, "a.*", "literal-star");

        Assert.Equal(["exact", "literal-star"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Direct_empty_routing_key_matches_only_an_empty_binding_key()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var empty = await t.QueueAsync("empty");
        var keyed = await t.QueueAsync("keyed");
        await t.Channel.QueueBindAsync(empty, exchange, string.Empty);
        await t.Channel.QueueBindAsync(keyed, exchange, "k");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, string.Empty, "no-key");
        await PublishAsync(pub, exchange, "k", "k");

        Assert.Equal(["no-key"], await DrainAsync(t.Channel, empty));
        Assert.Equal(["k"], await DrainAsync(t.Channel, keyed));
    }

    [Fact]
    public async Task Direct_message_keeps_per_queue_order()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "a");
        await t.Channel.QueueBindAsync(queue, exchange, "b");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        var expected = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var body = $"m{i}";
            expected.Add(body);
            await PublishAsync(pub, exchange, i % 2 == 0 ? "a" : "b", body);
        }

        Assert.Equal(expected, await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Fanout_copies_to_every_bound_queue_ignoring_keys()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Fanout);
        var q1 = await t.QueueAsync("q1");
        var q2 = await t.QueueAsync("q2");
        var q3 = await t.QueueAsync("q3");
        await t.Channel.QueueBindAsync(q1, exchange, string.Empty);
        await t.Channel.QueueBindAsync(q2, exchange, "some-key");
        await t.Channel.QueueBindAsync(q3, exchange, "#");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "anything", "a");
        await PublishAsync(pub, exchange, string.Empty, "b");

        Assert.Equal(["a", "b"], await DrainAsync(t.Channel, q1));
        Assert.Equal(["a", "b"], await DrainAsync(t.Channel, q2));
        Assert.Equal(["a", "b"], await DrainAsync(t.Channel, q3));
    }

    [Fact]
    public async Task Fanout_queue_bound_with_two_keys_gets_one_copy()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Fanout);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "one");
        await t.Channel.QueueBindAsync(queue, exchange, "two");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "x", "m");

        Assert.Equal(["m"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Fanout_with_no_bindings_drops_the_message()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Fanout);
        var queue = await t.QueueAsync();

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, string.Empty, "dropped");
        await t.Channel.QueueBindAsync(queue, exchange, string.Empty);

        Assert.Empty(await DrainAsync(t.Channel, queue));
        Assert.True(pub.IsOpen);
    }

    [Fact]
    public async Task Predeclared_amq_fanout_routes_to_bound_queues()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, "amq.fanout", string.Empty);
        try
        {
            await using var pub = await ConfirmingChannelAsync(t.Connection);
            await PublishAsync(pub, "amq.fanout", "whatever", "m");

            // Other tests may publish to amq.fanout concurrently: only assert our message arrived.
            Assert.Contains("m", await DrainAsync(t.Channel, queue));
        }
        finally
        {
            await t.Channel.QueueUnbindAsync(queue, "amq.fanout", string.Empty);
        }
    }
}
