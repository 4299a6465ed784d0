using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>
/// Unacked messages return to their queue, marked redelivered, when their channel or connection goes away,
/// and on basic.recover. RabbitMQ.Client 7.x has no basic.recover, so those tests speak raw AMQP.
/// </summary>
public sealed class RedeliveryTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public RedeliveryTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    private static async Task<List<(string Text, bool Redelivered)>> ReadAllAsync(IChannel ch, string q)
    {
        var list = new List<(string, bool)>();
        while (await ch.BasicGetAsync(q, autoAck: true) is { } r)
        {
            list.Add((System.Text.Encoding.UTF8.GetString(r.Body.Span), r.Redelivered));
        }

        return list;
    }

    [Fact]
    public async Task Closing_the_channel_requeues_unacked_messages_as_redelivered_in_their_original_order()
    {
        await using var conn = await ConnectAsync();
        await using var check = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, Texts("m", 6));
        await WaitForReadyCountAsync(check, q, 6);

        await using (var ch = await conn.CreateChannelAsync())
        {
            await ch.BasicQosAsync(0, 4, global: false);
            var consumer = new CollectingConsumer(ch);
            await ch.BasicConsumeAsync(q, autoAck: false, consumer);
            var got = await consumer.TakeAsync(4);
            await ch.BasicAckAsync(got[1].DeliveryTag, multiple: false);
            Assert.Equal("m4", (await consumer.NextAsync()).Text); // the ack freed a prefetch slot
            await ch.CloseAsync();
        }

        // Requeued messages take their old places ahead of m5, which was never delivered.
        await WaitForReadyCountAsync(check, q, 5);
        Assert.Equal([("m0", true), ("m2", true), ("m3", true), ("m4", true), ("m5", false)], await ReadAllAsync(check, q));
    }

    [Fact]
    public async Task Closing_the_connection_requeues_unacked_messages_as_redelivered()
    {
        await using var admin = await ConnectAsync();
        await using var check = await admin.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, Texts("m", 3));
        await WaitForReadyCountAsync(check, q, 3);

        await using (var conn = await ConnectAsync())
        {
            var ch1 = await conn.CreateChannelAsync();
            var ch2 = await conn.CreateChannelAsync();
            Assert.NotNull(await ch1.BasicGetAsync(q, autoAck: false));
            Assert.NotNull(await ch2.BasicGetAsync(q, autoAck: false));
            await conn.CloseAsync();
        }

        await WaitForReadyCountAsync(check, q, 3);
        Assert.Equal([("m0", true), ("m1", true), ("m2", false)], await ReadAllAsync(check, q));
    }

    [Fact]
    public async Task A_dropped_tcp_connection_requeues_unacked_messages_as_redelivered()
    {
        await using var conn = await ConnectAsync();
        await using var check = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, Texts("m", 2));
        await WaitForReadyCountAsync(check, q, 2);

        var raw = await OpenRawAsync();
        await raw.SendAsync(Frames.BasicConsume(1, q, "raw-consumer"));
        await raw.ExpectMethodAsync(1, 60, 21);
        Assert.Equal("m0", (await raw.ReadDeliveryAsync(1)).Text);
        Assert.Equal("m1", (await raw.ReadDeliveryAsync(1)).Text);
        raw.Abort();

        await WaitForReadyCountAsync(check, q, 2);
        Assert.Equal([("m0", true), ("m1", true)], await ReadAllAsync(check, q));
    }

    [Fact]
    public async Task Requeued_messages_go_to_another_consumer_marked_redelivered()
    {
        await using var conn = await ConnectAsync();
        await using var stays = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(stays);
        var survivor = new CollectingConsumer(stays);

        await using (var leaves = await conn.CreateChannelAsync())
        {
            var quitter = new CollectingConsumer(leaves);
            await leaves.BasicConsumeAsync(q, autoAck: false, quitter);
            await PublishTextsAsync(stays, q, "x", "y");
            await quitter.TakeAsync(2);
            await stays.BasicConsumeAsync(q, autoAck: false, survivor);
            await leaves.CloseAsync();
        }

        var again = await survivor.TakeAsync(2);
        Assert.Equal(["x", "y"], again.Select(d => d.Text));
        Assert.All(again, d => Assert.True(d.Redelivered));
        Assert.Equal([1UL, 2], again.Select(d => d.DeliveryTag));
    }

    [Fact]
    public async Task Basic_recover_with_requeue_redelivers_unacked_messages_with_new_tags()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 3));
        await WaitForReadyCountAsync(ch, q, 3);
        await using var raw = await OpenRawAsync();
        await raw.SendAsync(Frames.BasicConsume(1, q, "c1"));
        await raw.ExpectMethodAsync(1, 60, 21);
        var first = new[] { await raw.ReadDeliveryAsync(1), await raw.ReadDeliveryAsync(1), await raw.ReadDeliveryAsync(1) };
        Assert.Equal([1UL, 2, 3], first.Select(d => d.DeliveryTag));
        await raw.SendAsync(Frames.BasicAck(1, 2));

        await raw.SendAsync(Frames.BasicRecover(1, requeue: true));

        await raw.ExpectMethodAsync(1, 60, 111); // basic.recover-ok comes before the redeliveries
        var again = new[] { await raw.ReadDeliveryAsync(1), await raw.ReadDeliveryAsync(1) };
        Assert.Equal(["m0", "m2"], again.Select(d => d.Text));
        Assert.All(again, d => Assert.True(d.Redelivered));
        Assert.All(again, d => Assert.Equal("c1", d.ConsumerTag));
        Assert.Equal([4UL, 5], again.Select(d => d.DeliveryTag));
    }

    [Fact]
    public async Task Basic_recover_with_nothing_unacked_just_answers_recover_ok()
    {
        await using var raw = await OpenRawAsync();

        await raw.SendAsync(Frames.BasicRecover(1, requeue: true));

        await raw.ExpectMethodAsync(1, 60, 111);
    }

    [Fact]
    public async Task Basic_recover_async_with_requeue_redelivers_without_a_reply()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, "only");
        await WaitForReadyCountAsync(ch, q, 1);
        await using var raw = await OpenRawAsync();
        await raw.SendAsync(Frames.BasicConsume(1, q, "c1"));
        await raw.ExpectMethodAsync(1, 60, 21);
        Assert.False((await raw.ReadDeliveryAsync(1)).Redelivered);

        await raw.SendAsync(Frames.BasicRecoverAsync(1, requeue: true)); // no reply

        var again = await raw.ReadDeliveryAsync(1);
        Assert.Equal("only", again.Text);
        Assert.True(again.Redelivered);
        Assert.Equal(2UL, again.DeliveryTag);
    }

    [Fact]
    public async Task Basic_recover_without_requeue_is_not_implemented_and_closes_the_connection()
    {
        await using var raw = await OpenRawAsync();

        await raw.SendAsync(Frames.BasicRecover(1, requeue: false));

        var close = await raw.ExpectMethodAsync(0, 10, 50);
        AssertRawClose(close, 540, "NOT_IMPLEMENTED - requeue=false", 60, 110);
    }

    [Fact]
    public async Task Basic_recover_async_without_requeue_is_not_implemented_and_closes_the_connection()
    {
        await using var raw = await OpenRawAsync();

        await raw.SendAsync(Frames.BasicRecoverAsync(1, requeue: false));

        var close = await raw.ExpectMethodAsync(0, 10, 50);
        AssertRawClose(close, 540, "NOT_IMPLEMENTED - requeue=false", 60, 100);
    }
}
