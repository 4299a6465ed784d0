using System.Collections.Concurrent;
using System.Text;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>basic.publish with mandatory=true: unroutable messages come back as basic.return 312 NO_ROUTE.</summary>
public sealed class MandatoryReturnTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    /// <summary>What a basic.return carried, copied out of the event (its body buffer is only valid during the callback).</summary>
    private sealed record Returned(ushort ReplyCode, string ReplyText, string Exchange, string RoutingKey, string Body, string? MessageId);

    /// <summary>Collects basic.return frames of a channel; <see cref="NextAsync"/> waits (bounded) for the next one.</summary>
    private sealed class Returns
    {
        private readonly ConcurrentQueue<Returned> _received = new();
        private readonly SemaphoreSlim _signal = new(0);

        public Returns(IChannel channel)
        {
            channel.BasicReturnAsync += (_, args) =>
            {
                _received.Enqueue(new Returned(
                    args.ReplyCode, args.ReplyText, args.Exchange, args.RoutingKey,
                    Encoding.UTF8.GetString(args.Body.Span), args.BasicProperties.MessageId));
                _signal.Release();
                return Task.CompletedTask;
            };
        }

        public int Count => _received.Count;

        public async Task<Returned> NextAsync()
        {
            Assert.True(await _signal.WaitAsync(WaitLimit), $"no basic.return within {WaitLimit.TotalSeconds} s");
            Assert.True(_received.TryDequeue(out var returned));
            return returned;
        }
    }

    private static ValueTask PublishMandatoryAsync(IChannel ch, string exchange, string routingKey, string body) =>
        ch.BasicPublishAsync(exchange, routingKey, mandatory: true, new BasicProperties { MessageId = body }, Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task Mandatory_publish_without_a_route_is_returned_with_312_no_route()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var returns = new Returns(t.Channel);

        await PublishMandatoryAsync(t.Channel, exchange, "nowhere", "lost");

        var ret = await returns.NextAsync();
        Assert.Equal(Amqp.NoRoute, ret.ReplyCode);
        Assert.Equal("NO_ROUTE", ret.ReplyText);
        Assert.Equal(exchange, ret.Exchange);
        Assert.Equal("nowhere", ret.RoutingKey);
        Assert.Equal("lost", ret.Body);
        Assert.Equal("lost", ret.MessageId);
        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Mandatory_publish_to_the_default_exchange_for_a_missing_queue_is_returned()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var returns = new Returns(t.Channel);
        var missing = BrokerFixture.UniqueName("missing");

        await PublishMandatoryAsync(t.Channel, string.Empty, missing, "lost");

        var ret = await returns.NextAsync();
        Assert.Equal(Amqp.NoRoute, ret.ReplyCode);
        Assert.Equal("NO_ROUTE", ret.ReplyText);
        Assert.Equal(string.Empty, ret.Exchange);
        Assert.Equal(missing, ret.RoutingKey);
    }

    [Fact]
    public async Task Mandatory_publish_to_fanout_without_queues_is_returned()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Fanout);
        var returns = new Returns(t.Channel);

        await PublishMandatoryAsync(t.Channel, exchange, "k", "lost");

        var ret = await returns.NextAsync();
        Assert.Equal(Amqp.NoRoute, ret.ReplyCode);
        Assert.Equal(exchange, ret.Exchange);
        Assert.Equal("k", ret.RoutingKey);
    }

    [Fact]
    public async Task Mandatory_publish_through_an_exchange_binding_to_no_queue_is_returned()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        await t.Channel.ExchangeBindAsync(destination, source, string.Empty);
        var returns = new Returns(t.Channel);

        await PublishMandatoryAsync(t.Channel, source, "k", "lost");

        var ret = await returns.NextAsync();
        Assert.Equal(Amqp.NoRoute, ret.ReplyCode);
        Assert.Equal(source, ret.Exchange);
    }

    [Fact]
    public async Task Routed_mandatory_publishes_are_not_returned_and_unroutable_ones_are()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "routed");
        var returns = new Returns(t.Channel);

        await PublishMandatoryAsync(t.Channel, exchange, "routed", "r1");
        await PublishMandatoryAsync(t.Channel, exchange, "unrouted", "u1");
        await PublishMandatoryAsync(t.Channel, exchange, "routed", "r2");
        await PublishMandatoryAsync(t.Channel, exchange, "unrouted", "u2");

        Assert.Equal("u1", (await returns.NextAsync()).Body);
        Assert.Equal("u2", (await returns.NextAsync()).Body);
        Assert.Equal(["r1", "r2"], await DrainAsync(t.Channel, queue));
        Assert.Equal(0, returns.Count);
    }

    [Fact]
    public async Task Unroutable_publish_without_mandatory_is_silently_dropped()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct);
        var returns = new Returns(t.Channel);

        await t.Channel.BasicPublishAsync(exchange, "nowhere", mandatory: false, Encoding.UTF8.GetBytes("dropped"));
        // A mandatory publish afterwards on the same channel: its return proves the first one produced none.
        await PublishMandatoryAsync(t.Channel, exchange, "nowhere", "marker");

        Assert.Equal("marker", (await returns.NextAsync()).Body);
        Assert.Equal(0, returns.Count);
        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Mandatory_publish_to_a_headers_exchange_with_no_match_is_returned()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Headers);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, string.Empty,
            new Dictionary<string, object?> { ["x-match"] = "all", ["a"] = "1" });
        var returns = new Returns(t.Channel);

        await t.Channel.BasicPublishAsync(exchange, "k", mandatory: true,
            new BasicProperties { Headers = new Dictionary<string, object?> { ["a"] = "2" } }, Encoding.UTF8.GetBytes("lost"));

        var ret = await returns.NextAsync();
        Assert.Equal(Amqp.NoRoute, ret.ReplyCode);
        Assert.Equal("NO_ROUTE", ret.ReplyText);
        Assert.Equal(exchange, ret.Exchange);
        Assert.Equal("k", ret.RoutingKey);
    }
}
