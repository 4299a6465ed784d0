using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>
/// Internal exchanges (declared with the internal bit over a raw connection, since RabbitMQ.Client cannot set it)
/// and publishing to exchanges that refuse it.
/// </summary>
public sealed class InternalExchangeTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private async Task<string> DeclareInternalAsync(TopologyScope t, string type)
    {
        var name = t.ExchangeName("internal");
        var result = await DeclareInternalOverRawAsync(name, type);
        Assert.Null(result);
        return name;
    }

    /// <summary>
    /// RabbitMQ.Client always sends exchange.declare with internal=false, so this declares over a raw connection.
    /// Returns null on declare-ok, else the channel.close the broker answered with.
    /// </summary>
    private async Task<CloseInfo?> DeclareInternalOverRawAsync(string exchange, string type)
    {
        await using var raw = await RawAmqpConnection.OpenWithChannelAsync(fixture, channel: 1);
        await raw.SendAsync(Frames.ExchangeDeclare(1, exchange, type, @internal: true));
        var reply = await raw.ReadNonHeartbeatAsync();
        CloseInfo? refused = null;
        if (reply.Is(20, 40))
        {
            refused = CloseInfo.Parse(reply);
            await raw.SendAsync(Frames.ChannelCloseOk(1));
        }
        else
        {
            Assert.True(reply.Is(40, 11), $"expected exchange.declare-ok or channel.close, got {reply}");
        }

        await raw.SendAsync(Frames.ConnectionClose());
        await raw.ExpectMethodAsync(0, 10, 51);
        return refused;
    }

    [Fact]
    public async Task Internal_exchange_can_be_declared_and_passively_declared()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        var name = await DeclareInternalAsync(t, ExchangeType.Direct);

        await ExchangeExistsAsync(t.Connection, name);
    }

    [Fact]
    public async Task Publishing_to_an_internal_exchange_closes_the_channel_with_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await DeclareInternalAsync(t, ExchangeType.Fanout);
        var shutdown = ShutdownOf(t.Channel);

        await t.Channel.BasicPublishAsync(name, "k", Encoding.UTF8.GetBytes("m"));

        var reason = await Within(shutdown, "channel close");
        AssertReason(reason, Amqp.AccessRefused, $"ACCESS_REFUSED - cannot publish to internal exchange '{name}' in vhost '/'",
            Amqp.BasicClass, Amqp.BasicPublish);
        Assert.True(t.Connection.IsOpen);
    }

    [Fact]
    public async Task Internal_exchange_receives_messages_through_an_exchange_binding()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var front = await t.ExchangeAsync(ExchangeType.Topic, "front");
        var hidden = await DeclareInternalAsync(t, ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.ExchangeBindAsync(hidden, front, "#");
        await t.Channel.QueueBindAsync(queue, hidden, "k");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, front, "k", "via-internal");
        await PublishAsync(pub, front, "other", "dropped");

        Assert.Equal(["via-internal"], await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Redeclaring_an_internal_exchange_as_non_internal_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await DeclareInternalAsync(t, ExchangeType.Direct);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'internal' for exchange '{name}' in vhost '/': received 'false' but current is 'true'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Redeclaring_a_normal_exchange_as_internal_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Direct);

        var result = await DeclareInternalOverRawAsync(name, ExchangeType.Direct);

        Assert.Equal(
            new CloseInfo(
                1,
                Amqp.PreconditionFailed,
                $"PRECONDITION_FAILED - inequivalent arg 'internal' for exchange '{name}' in vhost '/': received 'true' but current is 'false'",
                Amqp.ExchangeClass, Amqp.ExchangeDeclare),
            result);
    }

    [Fact]
    public async Task Publishing_to_a_missing_exchange_closes_the_channel_with_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var missing = BrokerFixture.UniqueName("missing");
        var shutdown = ShutdownOf(t.Channel);

        await t.Channel.BasicPublishAsync(missing, "k", Encoding.UTF8.GetBytes("m"));

        var reason = await Within(shutdown, "channel close");
        AssertReason(reason, Amqp.NotFound, $"NOT_FOUND - no exchange '{missing}' in vhost '/'", Amqp.BasicClass, Amqp.BasicPublish);
        Assert.True(t.Connection.IsOpen);
    }

    [Fact]
    public async Task Publishing_to_a_deleted_exchange_closes_the_channel_with_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Fanout);
        await t.Channel.ExchangeDeleteAsync(name);
        var shutdown = ShutdownOf(t.Channel);

        await t.Channel.BasicPublishAsync(name, string.Empty, Encoding.UTF8.GetBytes("m"));

        var reason = await Within(shutdown, "channel close");
        AssertReason(reason, Amqp.NotFound, $"NOT_FOUND - no exchange '{name}' in vhost '/'", Amqp.BasicClass, Amqp.BasicPublish);
    }
}
