using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>Topic exchange pattern matching: words split on '.', '*' is exactly one word, '#' zero or more.</summary>
public sealed class TopicRoutingTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("a.b.c", "a.b.c", true)]
    [InlineData("a.b.c", "a.b", false)]
    [InlineData("a.b.c", "a.b.c.d", false)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.c", false)]
    [InlineData("a.*.c", "a.b.b.c", false)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b", false)]
    [InlineData("*", "", false)]
    [InlineData("*.*", "a.", true)]
    [InlineData("*.*", ".", true)]
    [InlineData("a.*", "a", false)]
    [InlineData("#", "", true)]
    [InlineData("#", "a.b.c", true)]
    [InlineData("a.#", "a", true)]
    [InlineData("a.#", "a.b.c", true)]
    [InlineData("a.#", "b.a", false)]
    [InlineData("#.c", "c", true)]
    [InlineData("#.c", "a.b.c", true)]
    [InlineData("#.c", "a.c.b", false)]
    [InlineData("#.#", "", true)]
    [InlineData("#.#", "a.b", true)]
    [InlineData("a.#.b", "a.b", true)]
    [InlineData("a.#.b", "a.x.y.b", true)]
    [InlineData("a.#.b", "a.b.c", false)]
    [InlineData("#.*", "", false)]
    [InlineData("#.*", "a", true)]
    [InlineData("*.#.*", "a", false)]
    [InlineData("*.#.*", "a.b", true)]
    [InlineData("a.*.#", "a", false)]
    [InlineData("a.*.#", "a.b.c.d", true)]
    [InlineData("a..b", "a..b", true)]
    [InlineData("a..b", "a.b", false)]
    [InlineData("a.*.b", "a..b", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("A.b", "a.b", false)]
    [InlineData("a*", "ab", false)]
    [InlineData("a*", "a*", true)]
    [InlineData("a#", "a.b", false)]
    public async Task Pattern_matches_routing_key(string pattern, string routingKey, bool matches)
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Topic);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, pattern);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, routingKey, "m");

        string[] expected = matches ? ["m"] : [];
        Assert.Equal(expected, await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Message_matching_two_bindings_of_the_same_queue_arrives_once()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Topic);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "a.*");
        await t.Channel.QueueBindAsync(queue, exchange, "*.b");
        await t.Channel.QueueBindAsync(queue, exchange, "#");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "a.b", "once");

        Assert.Equal(["once"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Each_matching_queue_gets_a_copy()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Topic);
        var orange = await t.QueueAsync("orange");
        var rabbit = await t.QueueAsync("rabbit");
        await t.Channel.QueueBindAsync(orange, exchange, "*.orange.*");
        await t.Channel.QueueBindAsync(rabbit, exchange, "*.*.rabbit");
        await t.Channel.QueueBindAsync(rabbit, exchange, "lazy.#");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "quick.orange.rabbit", "1");
        await PublishAsync(pub, exchange, "lazy.orange.elephant", "2");
        await PublishAsync(pub, exchange, "quick.orange.fox", "3");
        await PublishAsync(pub, exchange, "lazy.brown.fox", "4");
        await PublishAsync(pub, exchange, "lazy.pink.rabbit", "5");
        await PublishAsync(pub, exchange, "quick.brown.fox", "6");
        await PublishAsync(pub, exchange, "orange", "7");
        await PublishAsync(pub, exchange, "quick.orange.male.rabbit", "8");
        await PublishAsync(pub, exchange, "lazy.orange.male.rabbit", "9");

        Assert.Equal(["1", "2", "3"], await DrainAsync(t.Channel, orange));
        Assert.Equal(["1", "2", "4", "5", "9"], await DrainAsync(t.Channel, rabbit));
    }

    [Fact]
    public async Task Unbinding_one_pattern_keeps_the_others()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Topic);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "a.#");
        await t.Channel.QueueBindAsync(queue, exchange, "#.z");

        await t.Channel.QueueUnbindAsync(queue, exchange, "a.#");
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, "a.b", "1");
        await PublishAsync(pub, exchange, "a.z", "2");

        Assert.Equal(["2"], await DrainAsync(t.Channel, queue));
    }
}
