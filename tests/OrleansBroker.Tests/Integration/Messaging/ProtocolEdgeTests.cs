using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>
/// Methods RabbitMQ.Client 7.x cannot send (channel.flow from the client, publish with immediate=true),
/// spoken as raw AMQP, and what RabbitMQ answers.
/// </summary>
public sealed class ProtocolEdgeTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public ProtocolEdgeTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Channel_flow_active_true_is_acknowledged_with_flow_ok_active_true()
    {
        await using var raw = await OpenRawAsync();

        await raw.SendAsync(Frames.ChannelFlow(1, active: true));

        var ok = await raw.ExpectMethodAsync(1, 20, 21);
        Assert.Equal(1, ok.Args().Octet() & 1);
    }

    [Fact]
    public async Task Channel_flow_active_false_from_the_client_is_not_implemented_and_closes_the_connection()
    {
        await using var raw = await OpenRawAsync();

        await raw.SendAsync(Frames.ChannelFlow(1, active: false));

        var close = await raw.ExpectMethodAsync(0, 10, 50);
        AssertRawClose(close, 540, "NOT_IMPLEMENTED - active=false", 20, 20);
    }

    [Fact]
    public async Task Publish_with_immediate_is_not_implemented_and_closes_the_connection()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await using var raw = await OpenRawAsync();

        await raw.SendAsync(Frames.Publish(1, string.Empty, q, Utf8("now"), immediate: true));

        var close = await raw.ExpectMethodAsync(0, 10, 50);
        AssertRawClose(close, 540, "NOT_IMPLEMENTED - immediate=true", 60, 40);
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Raw_publish_and_consume_round_trip_across_frames()
    {
        // The raw client splits at the negotiated frame_max like any client; the body must reassemble.
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await using var raw = await OpenRawAsync();
        var body = new byte[300_000];
        new Random(7).NextBytes(body);

        await raw.SendAsync(Frames.Publish(1, string.Empty, q, body));
        await raw.SendAsync(Frames.BasicConsume(1, q, "raw", noAck: true));
        await raw.ExpectMethodAsync(1, 60, 21);

        var d = await raw.ReadDeliveryAsync(1);
        Assert.Equal("raw", d.ConsumerTag);
        Assert.Equal(q, d.RoutingKey);
        Assert.True(body.AsSpan().SequenceEqual(d.Body));
    }
}
