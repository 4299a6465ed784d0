using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>basic.get: get-ok with the remaining count, get-empty, no-ack gets, tags shared with consumers.</summary>
public sealed class BasicGetTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public BasicGetTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Get_on_an_empty_queue_is_get_empty()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);

        Assert.Null(await ch.BasicGetAsync(q, autoAck: false));
        Assert.Null(await ch.BasicGetAsync(q, autoAck: true));
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Get_ok_reports_how_many_messages_remain()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, "a", "b", "c");
        await WaitForReadyCountAsync(ch, q, 3);

        var first = await ch.BasicGetAsync(q, autoAck: true);
        var second = await ch.BasicGetAsync(q, autoAck: true);
        var third = await ch.BasicGetAsync(q, autoAck: true);
        var fourth = await ch.BasicGetAsync(q, autoAck: true);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotNull(third);
        Assert.Null(fourth);
        Assert.Equal([2u, 1u, 0u], new[] { first.MessageCount, second.MessageCount, third.MessageCount });
        Assert.Equal(["a", "b", "c"], new[] { first, second, third }.Select(r => System.Text.Encoding.UTF8.GetString(r.Body.Span)));
    }

    [Fact]
    public async Task Get_ok_message_count_excludes_unacked_messages()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, "a", "b", "c");
        await WaitForReadyCountAsync(ch, q, 3);

        var first = await ch.BasicGetAsync(q, autoAck: false);
        var second = await ch.BasicGetAsync(q, autoAck: false);

        Assert.Equal(2u, first!.MessageCount);
        Assert.Equal(1u, second!.MessageCount);
        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Get_ok_carries_exchange_routing_key_redelivered_and_delivery_tag()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, "amq.topic", "orders.eu");
        await ch.BasicPublishAsync("amq.topic", "orders.eu", false, new BasicProperties { MessageId = "id-1" }, Utf8("order"));

        var got = await GetAsync(ch, q, autoAck: false);

        Assert.Equal("amq.topic", got.Exchange);
        Assert.Equal("orders.eu", got.RoutingKey);
        Assert.False(got.Redelivered);
        Assert.Equal(1UL, got.DeliveryTag);
        Assert.Equal("id-1", got.BasicProperties.MessageId);
        Assert.Equal(0u, got.MessageCount);
    }

    [Fact]
    public async Task Get_without_ack_leaves_the_message_unacked_until_acked()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, "only");

        var got = await GetAsync(ch, q, autoAck: false);
        Assert.Null(await ch.BasicGetAsync(q, autoAck: false)); // held by us, so not ready

        await ch.BasicAckAsync(got.DeliveryTag, multiple: false);

        await ch.CloseAsync(); // an unacked message would be requeued now
        await using var check = await conn.CreateChannelAsync();
        Assert.Equal(0u, (await check.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Get_with_no_ack_removes_the_message_and_its_tag_cannot_be_acked()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, "x");

        var got = await GetAsync(ch, q, autoAck: true);
        Assert.Equal(1UL, got.DeliveryTag);

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicAckAsync(got.DeliveryTag, multiple: false).AsTask());
        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 1", 60, 80);

        await using var check = await conn.CreateChannelAsync();
        Assert.Equal(0u, (await check.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Get_without_ack_is_requeued_as_redelivered_when_the_channel_closes()
    {
        await using var conn = await ConnectAsync();
        await using var check = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, "x");

        await using (var ch = await conn.CreateChannelAsync())
        {
            var got = await GetAsync(ch, q, autoAck: false);
            Assert.False(got.Redelivered);
            await ch.CloseAsync();
        }

        var again = await GetAsync(check, q, autoAck: true);
        Assert.True(again.Redelivered);
        Assert.Equal("x", System.Text.Encoding.UTF8.GetString(again.Body.Span));
    }

    [Fact]
    public async Task Get_and_consume_share_one_delivery_tag_sequence_per_channel()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q1 = await DeclareQueueAsync(ch);
        var q2 = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q1, "g1", "g2");

        var g1 = await GetAsync(ch, q1, autoAck: false);
        var g2 = await GetAsync(ch, q1, autoAck: false);
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q2, autoAck: false, consumer);
        await PublishTextsAsync(ch, q2, "c1");
        var c1 = await consumer.NextAsync();
        await PublishTextsAsync(ch, q1, "g3");
        var g3 = await GetAsync(ch, q1, autoAck: true);

        Assert.Equal([1UL, 2, 3, 4], new[] { g1.DeliveryTag, g2.DeliveryTag, c1.DeliveryTag, g3.DeliveryTag });
    }

    [Fact]
    public async Task Delivery_tags_are_per_channel()
    {
        await using var conn = await ConnectAsync();
        await using var ch1 = await conn.CreateChannelAsync();
        await using var ch2 = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch1);
        await PublishTextsAsync(ch1, q, "a", "b");

        var a = await GetAsync(ch1, q, autoAck: false);
        var b = await GetAsync(ch2, q, autoAck: false);

        Assert.Equal(1UL, a.DeliveryTag);
        Assert.Equal(1UL, b.DeliveryTag);
    }

    [Fact]
    public async Task Get_from_a_missing_queue_closes_the_channel_with_404()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = BrokerFixture.UniqueName("missing");

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicGetAsync(q, autoAck: false));

        AssertReason(reason, 404, $"NOT_FOUND - no queue '{q}' in vhost '/'", 60, 70);
        Assert.True(conn.IsOpen);
    }
}
