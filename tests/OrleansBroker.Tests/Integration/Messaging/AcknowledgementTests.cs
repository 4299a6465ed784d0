using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>basic.ack, basic.nack and basic.reject: single and multiple, requeue and drop, unknown tags.</summary>
public sealed class AcknowledgementTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public AcknowledgementTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    /// <summary>Publishes <paramref name="count"/> messages m0.. and consumes them all unacked on a fresh channel.</summary>
    private async Task<(IChannel Channel, string Queue, List<Delivery> Deliveries, CollectingConsumer Consumer)> ConsumeUnackedAsync(IConnection conn, int count)
    {
        var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", count));
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, consumer);
        var deliveries = await consumer.TakeAsync(count);
        Assert.Equal(Texts("m", count), deliveries.Select(d => d.Text));
        return (ch, q, deliveries, consumer);
    }

    /// <summary>Closes the channel (requeueing whatever it still holds) and reads the queue out with basic.get.</summary>
    private static async Task<List<BasicGetResult>> CloseAndReadQueueAsync(IConnection conn, IChannel ch, string q)
    {
        await ch.CloseAsync();
        await using var reader = await conn.CreateChannelAsync();
        var list = new List<BasicGetResult>();
        while (await reader.BasicGetAsync(q, autoAck: true) is { } r)
        {
            list.Add(r);
        }

        return list;
    }

    private static string Text(BasicGetResult r) => System.Text.Encoding.UTF8.GetString(r.Body.Span);

    [Fact]
    public async Task Ack_removes_only_the_acked_message()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, _) = await ConsumeUnackedAsync(conn, 3);
        await using var _ch = ch;

        await ch.BasicAckAsync(d[1].DeliveryTag, multiple: false);

        var left = await CloseAndReadQueueAsync(conn, ch, q);
        Assert.Equal(["m0", "m2"], left.Select(Text));
        Assert.All(left, r => Assert.True(r.Redelivered));
    }

    [Fact]
    public async Task Ack_multiple_acks_everything_up_to_and_including_the_tag()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, _) = await ConsumeUnackedAsync(conn, 5);
        await using var _ch = ch;

        await ch.BasicAckAsync(d[2].DeliveryTag, multiple: true);

        var left = await CloseAndReadQueueAsync(conn, ch, q);
        Assert.Equal(["m3", "m4"], left.Select(Text));
    }

    [Fact]
    public async Task Ack_multiple_skips_tags_already_acked()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, _) = await ConsumeUnackedAsync(conn, 4);
        await using var _ch = ch;

        await ch.BasicAckAsync(d[1].DeliveryTag, multiple: false);
        await ch.BasicAckAsync(d[2].DeliveryTag, multiple: true);

        var left = await CloseAndReadQueueAsync(conn, ch, q);
        Assert.Equal(["m3"], left.Select(Text));
    }

    [Fact]
    public async Task Ack_multiple_with_tag_zero_acks_all_outstanding()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, _, _) = await ConsumeUnackedAsync(conn, 5);
        await using var _ch = ch;

        await ch.BasicAckAsync(0, multiple: true);

        Assert.Empty(await CloseAndReadQueueAsync(conn, ch, q));
    }

    [Fact]
    public async Task Ack_multiple_with_tag_zero_and_nothing_outstanding_is_not_an_error()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        await ch.BasicAckAsync(0, multiple: true);

        await AssertChannelUsableAsync(ch);
    }

    [Fact]
    public async Task Ack_of_tag_zero_without_multiple_is_an_unknown_delivery_tag()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicAckAsync(0, multiple: false).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 0", 60, 80);
    }

    [Fact]
    public async Task Ack_of_an_unknown_delivery_tag_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicAckAsync(42, multiple: false).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 42", 60, 80);
        Assert.True(conn.IsOpen);
    }

    [Fact]
    public async Task Ack_multiple_of_an_unknown_delivery_tag_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicAckAsync(7, multiple: true).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 7", 60, 80);
    }

    [Fact]
    public async Task Ack_multiple_beyond_the_last_delivered_tag_is_an_error_and_acks_nothing()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, _) = await ConsumeUnackedAsync(conn, 3);
        await using var _ch = ch;

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicAckAsync(d[^1].DeliveryTag + 5, multiple: true).AsTask());

        AssertReason(reason, 406, $"PRECONDITION_FAILED - unknown delivery tag {d[^1].DeliveryTag + 5}", 60, 80);
        await using var check = await conn.CreateChannelAsync();
        await WaitForReadyCountAsync(check, q, 3); // the failed ack acked nothing; the close requeued all three
    }

    [Fact]
    public async Task Double_ack_closes_the_channel_with_406_and_the_tag_in_the_text()
    {
        await using var conn = await ConnectAsync();
        var (ch, _, d, _) = await ConsumeUnackedAsync(conn, 2);
        await using var _ch = ch;
        await ch.BasicAckAsync(d[1].DeliveryTag, multiple: false);

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicAckAsync(d[1].DeliveryTag, multiple: false).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 2", 60, 80);
    }

    [Fact]
    public async Task Ack_on_another_channel_than_the_delivery_is_an_unknown_delivery_tag()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, _) = await ConsumeUnackedAsync(conn, 1);
        await using var _ch = ch;
        await using var other = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(other, () => other.BasicAckAsync(d[0].DeliveryTag, multiple: false).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 1", 60, 80);
        Assert.True(ch.IsOpen);
        await ch.BasicAckAsync(d[0].DeliveryTag, multiple: false);
        Assert.Empty(await CloseAndReadQueueAsync(conn, ch, q));
    }

    [Fact]
    public async Task Nack_with_requeue_redelivers_with_the_redelivered_flag_and_a_new_tag()
    {
        await using var conn = await ConnectAsync();
        var (ch, _, d, consumer) = await ConsumeUnackedAsync(conn, 1);
        await using var _ch = ch;

        await ch.BasicNackAsync(d[0].DeliveryTag, multiple: false, requeue: true);

        var again = await consumer.NextAsync();
        Assert.Equal("m0", again.Text);
        Assert.True(again.Redelivered);
        Assert.Equal(2UL, again.DeliveryTag);
    }

    [Fact]
    public async Task Reject_with_requeue_redelivers_with_the_redelivered_flag()
    {
        await using var conn = await ConnectAsync();
        var (ch, _, d, consumer) = await ConsumeUnackedAsync(conn, 1);
        await using var _ch = ch;

        await ch.BasicRejectAsync(d[0].DeliveryTag, requeue: true);

        var again = await consumer.NextAsync();
        Assert.Equal("m0", again.Text);
        Assert.True(again.Redelivered);
        Assert.Equal(2UL, again.DeliveryTag);
    }

    [Fact]
    public async Task A_message_requeued_twice_is_still_marked_redelivered()
    {
        await using var conn = await ConnectAsync();
        var (ch, _, d, consumer) = await ConsumeUnackedAsync(conn, 1);
        await using var _ch = ch;

        await ch.BasicRejectAsync(d[0].DeliveryTag, requeue: true);
        var second = await consumer.NextAsync();
        await ch.BasicNackAsync(second.DeliveryTag, multiple: false, requeue: true);
        var third = await consumer.NextAsync();

        Assert.True(third.Redelivered);
        Assert.Equal(3UL, third.DeliveryTag);
        Assert.Equal("m0", third.Text);
    }

    [Fact]
    public async Task Reject_without_requeue_drops_the_message()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, consumer) = await ConsumeUnackedAsync(conn, 2);
        await using var _ch = ch;

        await ch.BasicRejectAsync(d[0].DeliveryTag, requeue: false);

        var left = await CloseAndReadQueueAsync(conn, ch, q);
        Assert.Equal(["m1"], left.Select(Text));
        Assert.Empty(consumer.Drain());
    }

    [Fact]
    public async Task Nack_multiple_without_requeue_drops_everything_up_to_the_tag()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, _) = await ConsumeUnackedAsync(conn, 5);
        await using var _ch = ch;

        await ch.BasicNackAsync(d[2].DeliveryTag, multiple: true, requeue: false);

        var left = await CloseAndReadQueueAsync(conn, ch, q);
        Assert.Equal(["m3", "m4"], left.Select(Text));
    }

    [Fact]
    public async Task Nack_multiple_with_tag_zero_requeues_all_outstanding_in_order()
    {
        await using var conn = await ConnectAsync();
        var (ch, _, _, consumer) = await ConsumeUnackedAsync(conn, 4);
        await using var _ch = ch;

        await ch.BasicNackAsync(0, multiple: true, requeue: true);

        var again = await consumer.TakeAsync(4);
        Assert.Equal(Texts("m", 4), again.Select(x => x.Text));
        Assert.All(again, x => Assert.True(x.Redelivered));
        Assert.Equal([5UL, 6, 7, 8], again.Select(x => x.DeliveryTag));
    }

    [Fact]
    public async Task Nack_of_an_unknown_delivery_tag_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicNackAsync(9, multiple: false, requeue: true).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 9", 60, 120);
    }

    [Fact]
    public async Task Reject_of_an_unknown_delivery_tag_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicRejectAsync(9, requeue: false).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 9", 60, 90);
    }

    [Fact]
    public async Task Requeued_messages_go_back_to_their_original_positions_ahead_of_newer_ones()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 6));
        await WaitForReadyCountAsync(ch, q, 6);
        var m0 = await GetAsync(ch, q, autoAck: false);
        var m1 = await GetAsync(ch, q, autoAck: false);
        var m2 = await GetAsync(ch, q, autoAck: false);
        var m3 = await GetAsync(ch, q, autoAck: false);

        // Requeue out of order, leaving m1 outstanding: m4, m5 are still ready in the queue.
        await ch.BasicNackAsync(m3.DeliveryTag, multiple: false, requeue: true);
        await ch.BasicRejectAsync(m0.DeliveryTag, requeue: true);
        await ch.BasicNackAsync(m2.DeliveryTag, multiple: false, requeue: true);
        await WaitForReadyCountAsync(ch, q, 5);

        var order = new List<(string Text, bool Redelivered)>();
        while (await ch.BasicGetAsync(q, autoAck: true) is { } r)
        {
            order.Add((Text(r), r.Redelivered));
        }

        Assert.Equal([("m0", true), ("m2", true), ("m3", true), ("m4", false), ("m5", false)], order);
        Assert.Equal("m1", Text(m1));
    }

    [Fact]
    public async Task Acks_and_nacks_interleave_correctly_across_many_messages()
    {
        await using var conn = await ConnectAsync();
        var (ch, q, d, _) = await ConsumeUnackedAsync(conn, 20);
        await using var _ch = ch;

        // Ack evens, drop multiples of 3 among the odds, requeue the other odds (on close).
        foreach (var x in d)
        {
            var i = int.Parse(x.Text[1..], System.Globalization.CultureInfo.InvariantCulture);
            if (i % 2 == 0)
            {
                await ch.BasicAckAsync(x.DeliveryTag, multiple: false);
            }
            else if (i % 3 == 0)
            {
                await ch.BasicNackAsync(x.DeliveryTag, multiple: false, requeue: false);
            }
        }

        var left = await CloseAndReadQueueAsync(conn, ch, q);
        Assert.Equal(["m1", "m5", "m7", "m11", "m13", "m17", "m19"], left.Select(Text));
    }
}
