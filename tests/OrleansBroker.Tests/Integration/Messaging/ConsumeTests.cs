using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>basic.consume and basic.cancel: tags, exclusivity, dispatch among consumers, cancellation.</summary>
public sealed class ConsumeTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public ConsumeTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Empty_consumer_tag_gets_a_server_generated_amq_ctag()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = new CollectingConsumer(ch);

        var tag = await ch.BasicConsumeAsync(q, autoAck: true, consumer);

        Assert.StartsWith("amq.ctag-", tag, StringComparison.Ordinal);
        Assert.True(tag.Length > "amq.ctag-".Length);
        Assert.Equal(tag, await consumer.ConsumeOk.Task.WaitAsync(Timeout));
        await ch.BasicPublishAsync(string.Empty, q, Utf8("x"));
        Assert.Equal(tag, (await consumer.NextAsync()).ConsumerTag);
    }

    [Fact]
    public async Task Server_generated_tags_differ_between_consumers()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var tags = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            tags.Add(await ch.BasicConsumeAsync(q, autoAck: true, new CollectingConsumer(ch)));
        }

        Assert.Equal(3, tags.Distinct().Count());
        Assert.All(tags, t => Assert.StartsWith("amq.ctag-", t, StringComparison.Ordinal));
        Assert.Equal(3u, await ch.ConsumerCountAsync(q));
    }

    [Fact]
    public async Task Explicit_consumer_tag_is_used_verbatim()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = new CollectingConsumer(ch);

        var tag = await ch.BasicConsumeAsync(q, autoAck: true, "Mein Verbraucher ✓", consumer);

        Assert.Equal("Mein Verbraucher ✓", tag);
        await ch.BasicPublishAsync(string.Empty, q, Utf8("x"));
        Assert.Equal("Mein Verbraucher ✓", (await consumer.NextAsync()).ConsumerTag);
    }

    [Fact]
    public async Task Reusing_a_consumer_tag_on_the_same_channel_closes_the_connection_with_530()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, "dup", new CollectingConsumer(ch));

        // RabbitMQ treats this as a connection error (NOT_ALLOWED), not a channel error.
        var reason = await ExpectConnectionClosedAsync(conn, ch, () => ch.BasicConsumeAsync(q, autoAck: true, "dup", new CollectingConsumer(ch)));

        AssertReason(reason, 530, "NOT_ALLOWED - attempt to reuse consumer tag 'dup'", 60, 20);
    }

    [Fact]
    public async Task The_same_consumer_tag_on_two_channels_is_allowed()
    {
        await using var conn = await ConnectAsync();
        await using var ch1 = await conn.CreateChannelAsync();
        await using var ch2 = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch1);

        Assert.Equal("shared", await ch1.BasicConsumeAsync(q, autoAck: true, "shared", new CollectingConsumer(ch1)));
        Assert.Equal("shared", await ch2.BasicConsumeAsync(q, autoAck: true, "shared", new CollectingConsumer(ch2)));
        Assert.Equal(2u, await ch1.ConsumerCountAsync(q));
    }

    [Fact]
    public async Task Consuming_from_a_missing_queue_closes_the_channel_with_404()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = BrokerFixture.UniqueName("missing");

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicConsumeAsync(q, autoAck: true, new CollectingConsumer(ch)));

        AssertReason(reason, 404, $"NOT_FOUND - no queue '{q}' in vhost '/'", 60, 20);
        Assert.True(conn.IsOpen);
    }

    [Fact]
    public async Task Backlog_published_before_consume_is_delivered_in_order()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var texts = Texts("backlog-", 50);
        await PublishTextsAsync(ch, q, texts);
        await WaitForReadyCountAsync(ch, q, 50);

        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, consumer);

        Assert.Equal(texts, (await consumer.TakeAsync(50)).Select(d => d.Text));
    }

    [Fact]
    public async Task No_ack_consumer_removes_messages_on_delivery_and_nothing_is_requeued_on_close()
    {
        await using var conn = await ConnectAsync();
        await using var check = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, Texts("m", 5));

        await using (var ch = await conn.CreateChannelAsync())
        {
            var consumer = new CollectingConsumer(ch);
            await ch.BasicConsumeAsync(q, autoAck: true, consumer);
            var got = await consumer.TakeAsync(5);
            Assert.Equal(Texts("m", 5), got.Select(d => d.Text));
            Assert.Equal([1UL, 2, 3, 4, 5], got.Select(d => d.DeliveryTag));
            await ch.CloseAsync();
        }

        Assert.Equal(0u, (await check.QueueDeclarePassiveAsync(q)).MessageCount);
        Assert.Null(await check.BasicGetAsync(q, autoAck: true));
    }

    [Fact]
    public async Task Exclusive_consumer_refuses_a_second_consumer_with_403()
    {
        await using var conn = await ConnectAsync();
        await using var ch1 = await conn.CreateChannelAsync();
        await using var ch2 = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch1);
        await ch1.BasicConsumeAsync(q, autoAck: true, string.Empty, noLocal: false, exclusive: true, arguments: null, new CollectingConsumer(ch1));

        var reason = await ExpectChannelClosedAsync(ch2, () =>
            ch2.BasicConsumeAsync(q, autoAck: true, string.Empty, noLocal: false, exclusive: false, arguments: null, new CollectingConsumer(ch2)));

        AssertReason(reason, 403, $"ACCESS_REFUSED - queue '{q}' in vhost '/' in exclusive use", 60, 20);
        Assert.True(conn.IsOpen);
        Assert.True(ch1.IsOpen);
    }

    [Fact]
    public async Task Exclusive_consumer_is_refused_with_403_when_the_queue_already_has_a_consumer()
    {
        await using var conn = await ConnectAsync();
        await using var ch1 = await conn.CreateChannelAsync();
        await using var ch2 = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch1);
        await ch1.BasicConsumeAsync(q, autoAck: true, new CollectingConsumer(ch1));

        var reason = await ExpectChannelClosedAsync(ch2, () =>
            ch2.BasicConsumeAsync(q, autoAck: true, string.Empty, noLocal: false, exclusive: true, arguments: null, new CollectingConsumer(ch2)));

        AssertReason(reason, 403, $"ACCESS_REFUSED - queue '{q}' in vhost '/' in exclusive use", 60, 20);
    }

    [Fact]
    public async Task Exclusive_consumer_on_the_same_channel_still_refuses_a_second_consumer()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, "first", noLocal: false, exclusive: true, arguments: null, new CollectingConsumer(ch));

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicConsumeAsync(q, autoAck: true, "second", new CollectingConsumer(ch)));

        AssertReason(reason, 403, $"ACCESS_REFUSED - queue '{q}' in vhost '/' in exclusive use", 60, 20);
    }

    [Fact]
    public async Task After_the_exclusive_consumer_cancels_others_may_consume()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var tag = await ch.BasicConsumeAsync(q, autoAck: true, string.Empty, noLocal: false, exclusive: true, arguments: null, new CollectingConsumer(ch));
        await ch.BasicCancelAsync(tag);

        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, consumer);
        await ch.BasicPublishAsync(string.Empty, q, Utf8("after"));

        Assert.Equal("after", (await consumer.NextAsync()).Text);
    }

    [Fact]
    public async Task Exclusive_consumer_receives_everything()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, string.Empty, noLocal: false, exclusive: true, arguments: null, consumer);

        await PublishTextsAsync(ch, q, Texts("e", 10));

        Assert.Equal(Texts("e", 10), (await consumer.TakeAsync(10)).Select(d => d.Text));
    }

    [Fact]
    public async Task Three_no_ack_consumers_share_messages_round_robin()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        await using var pub = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var all = new CollectingConsumer(ch); // sees every consumer's deliveries in the order the channel got them
        var consumers = new[] { new CollectingConsumer(ch), new CollectingConsumer(ch), new CollectingConsumer(ch) };
        var tags = new List<string>();
        foreach (var c in consumers)
        {
            c.OnDelivery = d => all.HandleBasicDeliverAsync(d.ConsumerTag, d.DeliveryTag, d.Redelivered, d.Exchange, d.RoutingKey, d.Properties, d.Body);
            tags.Add(await ch.BasicConsumeAsync(q, autoAck: true, c));
        }

        await PublishTextsAsync(pub, q, Texts("rr", 30));

        // RabbitMQ hands each message to the next consumer in turn: the sequence of consumers is a fixed
        // rotation (it starts with the first-registered one, but we do not pin that), so each gets 10.
        var order = (await all.TakeAsync(30)).Select(d => tags.IndexOf(d.ConsumerTag)).ToList();
        Assert.Equal(3, order.Take(3).Distinct().Count());
        for (var i = 3; i < order.Count; i++)
        {
            Assert.True(order[i] == order[i % 3], $"not a rotation: {string.Join(",", order)}");
        }

        Assert.All(consumers, c => Assert.Equal(10, c.Received));
    }

    [Fact]
    public async Task With_prefetch_one_and_no_acks_three_consumers_get_one_message_each()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        await using var pub = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ch.BasicQosAsync(0, 1, global: false);
        var consumers = new[] { new CollectingConsumer(ch), new CollectingConsumer(ch), new CollectingConsumer(ch) };
        foreach (var c in consumers)
        {
            await ch.BasicConsumeAsync(q, autoAck: false, c);
        }

        await PublishTextsAsync(pub, q, Texts("p", 6));

        var first = new List<Delivery>();
        foreach (var c in consumers)
        {
            first.Add(await c.NextAsync());
        }

        Assert.Equal(Texts("p", 3).Order(), first.Select(d => d.Text).Order());
        await WaitForReadyCountAsync(pub, q, 3);
        foreach (var c in consumers)
        {
            await c.AssertNoDeliveryAsync();
        }
    }

    [Fact]
    public async Task Basic_cancel_gets_cancel_ok_and_stops_deliveries()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = new CollectingConsumer(ch);
        var tag = await ch.BasicConsumeAsync(q, autoAck: true, consumer);
        await ch.BasicPublishAsync(string.Empty, q, Utf8("before"));
        Assert.Equal("before", (await consumer.NextAsync()).Text);

        await ch.BasicCancelAsync(tag);

        Assert.Equal(tag, await consumer.CancelOk.Task.WaitAsync(Timeout));
        Assert.False(consumer.ServerCancelled.Task.IsCompleted);
        Assert.Equal(0u, await ch.ConsumerCountAsync(q));
        await PublishTextsAsync(ch, q, "after-1", "after-2");
        await WaitForReadyCountAsync(ch, q, 2);
        await consumer.AssertNoDeliveryAsync();
    }

    [Fact]
    public async Task Cancelling_an_unknown_consumer_tag_is_not_an_error()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        await ch.BasicCancelAsync("no-such-consumer");

        await AssertChannelUsableAsync(ch);
    }

    [Fact]
    public async Task Unacked_messages_of_a_cancelled_consumer_stay_unacked_and_can_still_be_acked()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, "a", "b", "c");
        var consumer = new CollectingConsumer(ch);
        var tag = await ch.BasicConsumeAsync(q, autoAck: false, consumer);
        var got = await consumer.TakeAsync(3);

        await ch.BasicCancelAsync(tag);
        await consumer.CancelOk.Task.WaitAsync(Timeout);

        // Cancelling does not requeue: the messages are still held by the channel, not ready.
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
        await ch.BasicAckAsync(got[0].DeliveryTag, multiple: false);
        await ch.BasicNackAsync(got[1].DeliveryTag, multiple: false, requeue: true);
        await WaitForReadyCountAsync(ch, q, 1);
        var requeued = await GetAsync(ch, q, autoAck: true);
        Assert.Equal("b", Utf8Text(requeued));
        Assert.True(requeued.Redelivered);
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Deleting_the_queue_sends_basic_cancel_to_its_consumers()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        await using var admin = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = new CollectingConsumer(ch);
        var tag = await ch.BasicConsumeAsync(q, autoAck: true, consumer);

        await admin.QueueDeleteAsync(q, ifUnused: false, ifEmpty: false);

        Assert.Equal(tag, await consumer.ServerCancelled.Task.WaitAsync(Timeout));
        Assert.False(consumer.CancelOk.Task.IsCompleted);
        Assert.False(consumer.IsRunning);
        Assert.True(ch.IsOpen);
        await AssertChannelUsableAsync(ch);
    }

    [Fact]
    public async Task Eventing_consumer_raises_unregistered_when_the_queue_is_deleted()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = new AsyncEventingBasicConsumer(ch);
        var unregistered = new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer.UnregisteredAsync += (_, e) =>
        {
            unregistered.TrySetResult(e.ConsumerTags);
            return Task.CompletedTask;
        };
        var tag = await ch.BasicConsumeAsync(q, autoAck: true, consumer);

        await ch.QueueDeleteAsync(q, ifUnused: false, ifEmpty: false);

        Assert.Equal([tag], await unregistered.Task.WaitAsync(Timeout));
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Deleting_the_queue_cancels_consumers_on_other_connections_too()
    {
        await using var conn1 = await ConnectAsync();
        await using var conn2 = await ConnectAsync();
        await using var ch1 = await conn1.CreateChannelAsync();
        await using var ch2 = await conn2.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch1);
        var c1 = new CollectingConsumer(ch1);
        var c2 = new CollectingConsumer(ch2);
        var tag1 = await ch1.BasicConsumeAsync(q, autoAck: false, c1);
        var tag2 = await ch2.BasicConsumeAsync(q, autoAck: false, c2);

        await ch1.QueueDeleteAsync(q, ifUnused: false, ifEmpty: false);

        Assert.Equal(tag1, await c1.ServerCancelled.Task.WaitAsync(Timeout));
        Assert.Equal(tag2, await c2.ServerCancelled.Task.WaitAsync(Timeout));
        Assert.True(ch1.IsOpen);
        Assert.True(ch2.IsOpen);
    }

    [Fact]
    public async Task Acking_a_message_whose_queue_was_deleted_is_not_an_error()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        await using var admin = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, "orphan");
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, consumer);
        var d = await consumer.NextAsync();

        await admin.QueueDeleteAsync(q, ifUnused: false, ifEmpty: false);
        await consumer.ServerCancelled.Task.WaitAsync(Timeout);
        await ch.BasicAckAsync(d.DeliveryTag, multiple: false);

        await AssertChannelUsableAsync(ch);
    }

    [Fact]
    public async Task Delivery_tags_keep_counting_across_consumers_on_a_channel()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var first = new CollectingConsumer(ch);
        var tag = await ch.BasicConsumeAsync(q, autoAck: true, first);
        await PublishTextsAsync(ch, q, "a", "b");
        var early = await first.TakeAsync(2);
        await ch.BasicCancelAsync(tag);

        var second = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, second);
        await PublishTextsAsync(ch, q, "c");

        Assert.Equal([1UL, 2], early.Select(d => d.DeliveryTag));
        Assert.Equal(3UL, (await second.NextAsync()).DeliveryTag);
    }

    [Fact]
    public async Task Consuming_another_connections_exclusive_queue_closes_the_channel_with_405()
    {
        await using var owner = await ConnectAsync();
        await using var stranger = await ConnectAsync();
        await using var ownerCh = await owner.CreateChannelAsync();
        await using var strangerCh = await stranger.CreateChannelAsync();
        var q = BrokerFixture.UniqueName("exclusive");
        await ownerCh.QueueDeclareAsync(q, durable: false, exclusive: true, autoDelete: false);

        var reason = await ExpectChannelClosedAsync(strangerCh, () => strangerCh.BasicConsumeAsync(q, autoAck: true, new CollectingConsumer(strangerCh)));

        AssertReason(reason, 405, ShortReplyText(LockedQueueText(q)), 60, 20);
    }

    [Fact]
    public async Task Getting_from_another_connections_exclusive_queue_closes_the_channel_with_405()
    {
        await using var owner = await ConnectAsync();
        await using var stranger = await ConnectAsync();
        await using var ownerCh = await owner.CreateChannelAsync();
        await using var strangerCh = await stranger.CreateChannelAsync();
        var q = BrokerFixture.UniqueName("exclusive");
        await ownerCh.QueueDeclareAsync(q, durable: false, exclusive: true, autoDelete: false);

        var reason = await ExpectChannelClosedAsync(strangerCh, () => strangerCh.BasicGetAsync(q, autoAck: true));

        AssertReason(reason, 405, ShortReplyText(LockedQueueText(q)), 60, 70);
    }

    [Fact]
    public async Task Reply_text_longer_than_a_short_string_is_cut_to_252_characters_plus_an_ellipsis()
    {
        await using var owner = await ConnectAsync();
        await using var stranger = await ConnectAsync();
        await using var ownerCh = await owner.CreateChannelAsync();
        await using var strangerCh = await stranger.CreateChannelAsync();
        var q = BrokerFixture.UniqueName("exclusive-queue-with-a-long-name");
        await ownerCh.QueueDeclareAsync(q, durable: false, exclusive: true, autoDelete: false);
        Assert.True(LockedQueueText(q).Length > 255);

        var reason = await ExpectChannelClosedAsync(strangerCh, () => strangerCh.BasicGetAsync(q, autoAck: true));

        // reply-text is a shortstr (at most 255 octets); RabbitMQ cuts longer texts and marks the cut.
        Assert.Equal(255, reason.ReplyText.Length);
        Assert.Equal(LockedQueueText(q)[..252] + "...", reason.ReplyText);
    }

    private static string LockedQueueText(string q) =>
        $"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{q}' in vhost '/'. " +
        "It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";

    /// <summary>RabbitMQ's reply-text as sent: texts over 255 characters become their first 252 plus "...".</summary>
    private static string ShortReplyText(string text) => text.Length > 255 ? text[..252] + "..." : text;

    private static string Utf8Text(BasicGetResult r) => System.Text.Encoding.UTF8.GetString(r.Body.Span);
}
