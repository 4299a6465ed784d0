using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>
/// basic.qos prefetch_count as RabbitMQ interprets it: global=false limits each consumer created afterwards,
/// global=true limits the whole channel (shared by its consumers), 0 means unlimited.
/// </summary>
public sealed class QosTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public QosTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Prefetch_two_delivers_exactly_two_until_one_is_acked()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 5));
        await ch.BasicQosAsync(0, 2, global: false);
        var consumer = new CollectingConsumer(ch);

        await ch.BasicConsumeAsync(q, autoAck: false, consumer);

        var first = await consumer.TakeAsync(2);
        Assert.Equal(["m0", "m1"], first.Select(d => d.Text));
        await WaitForReadyCountAsync(ch, q, 3);
        await consumer.AssertNoDeliveryAsync();

        await ch.BasicAckAsync(first[0].DeliveryTag, multiple: false);

        Assert.Equal("m2", (await consumer.NextAsync()).Text);
        await WaitForReadyCountAsync(ch, q, 2);
        await consumer.AssertNoDeliveryAsync();
    }

    [Fact]
    public async Task Ack_multiple_frees_as_many_slots_as_it_acks()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 10));
        await ch.BasicQosAsync(0, 3, global: false);
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, consumer);
        var first = await consumer.TakeAsync(3);

        await ch.BasicAckAsync(first[^1].DeliveryTag, multiple: true);

        Assert.Equal(["m3", "m4", "m5"], (await consumer.TakeAsync(3)).Select(d => d.Text));
        await WaitForReadyCountAsync(ch, q, 4);
        await consumer.AssertNoDeliveryAsync();
    }

    [Fact]
    public async Task Nack_and_reject_free_slots_like_ack()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 4));
        await ch.BasicQosAsync(0, 1, global: false);
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, consumer);

        var d0 = await consumer.NextAsync();
        await ch.BasicNackAsync(d0.DeliveryTag, multiple: false, requeue: false);
        var d1 = await consumer.NextAsync();
        await ch.BasicRejectAsync(d1.DeliveryTag, requeue: false);
        var d2 = await consumer.NextAsync();

        Assert.Equal(["m0", "m1", "m2"], new[] { d0, d1, d2 }.Select(d => d.Text));
        await WaitForReadyCountAsync(ch, q, 1);
    }

    [Fact]
    public async Task Requeued_message_comes_back_within_the_prefetch_window()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 3));
        await ch.BasicQosAsync(0, 1, global: false);
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, consumer);
        var d0 = await consumer.NextAsync();

        await ch.BasicNackAsync(d0.DeliveryTag, multiple: false, requeue: true);

        var again = await consumer.NextAsync();
        Assert.Equal("m0", again.Text);
        Assert.True(again.Redelivered);
        await WaitForReadyCountAsync(ch, q, 2);
        await consumer.AssertNoDeliveryAsync();
    }

    [Fact]
    public async Task Per_consumer_prefetch_applies_to_each_consumer_separately()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ch.BasicQosAsync(0, 2, global: false);
        var a = new CollectingConsumer(ch);
        var b = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, a);
        await ch.BasicConsumeAsync(q, autoAck: false, b);

        await PublishTextsAsync(ch, q, Texts("m", 10));

        await a.TakeAsync(2);
        await b.TakeAsync(2);
        await WaitForReadyCountAsync(ch, q, 6);
        await a.AssertNoDeliveryAsync();
        await b.AssertNoDeliveryAsync();
    }

    [Fact]
    public async Task Global_prefetch_is_shared_by_all_consumers_on_the_channel()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q1 = await DeclareQueueAsync(ch);
        var q2 = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q1, Texts("a", 5));
        await PublishTextsAsync(ch, q2, Texts("b", 5));
        await WaitForReadyCountAsync(ch, q1, 5);
        await WaitForReadyCountAsync(ch, q2, 5);
        await ch.BasicQosAsync(0, 3, global: true);
        var a = new CollectingConsumer(ch);
        var b = new CollectingConsumer(ch);

        await ch.BasicConsumeAsync(q1, autoAck: false, a);
        await ch.BasicConsumeAsync(q2, autoAck: false, b);

        // Three in flight on the channel in total, however they split between the consumers.
        var deadline = DateTime.UtcNow + Timeout;
        while (a.Received + b.Received < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await WatchQuietPeriodAsync(); // a broker ignoring the shared limit would deliver more now
        Assert.Equal(3, a.Received + b.Received);
        var ready = (await ch.QueueDeclarePassiveAsync(q1)).MessageCount + (await ch.QueueDeclarePassiveAsync(q2)).MessageCount;
        Assert.Equal(7u, ready);
    }

    [Fact]
    public async Task Global_and_per_consumer_limits_both_apply()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 10));
        await WaitForReadyCountAsync(ch, q, 10);
        await ch.BasicQosAsync(0, 1, global: false);
        await ch.BasicQosAsync(0, 3, global: true);
        var consumers = Enumerable.Range(0, 4).Select(_ => new CollectingConsumer(ch)).ToArray();

        foreach (var c in consumers)
        {
            await ch.BasicConsumeAsync(q, autoAck: false, c);
        }

        // Each consumer may hold one, the channel three: three of the four consumers get one message.
        await WaitForReadyCountAsync(ch, q, 7);
        await WatchQuietPeriodAsync(); // a broker ignoring either limit would deliver more now
        Assert.Equal([0, 1, 1, 1], consumers.Select(c => c.Received).Order());
    }

    [Fact]
    public async Task Raising_the_global_prefetch_releases_more_messages_to_existing_consumers()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 5));
        await ch.BasicQosAsync(0, 1, global: true);
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, consumer);
        Assert.Equal("m0", (await consumer.NextAsync()).Text);
        await WaitForReadyCountAsync(ch, q, 4);

        await ch.BasicQosAsync(0, 3, global: true);

        Assert.Equal(["m1", "m2"], (await consumer.TakeAsync(2)).Select(d => d.Text));
        await WaitForReadyCountAsync(ch, q, 2);
        await consumer.AssertNoDeliveryAsync();
    }

    [Fact]
    public async Task Prefetch_zero_is_unlimited()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 50));
        await ch.BasicQosAsync(0, 5, global: false);
        await ch.BasicQosAsync(0, 0, global: false);
        var consumer = new CollectingConsumer(ch);

        await ch.BasicConsumeAsync(q, autoAck: false, consumer);

        Assert.Equal(Texts("m", 50), (await consumer.TakeAsync(50)).Select(d => d.Text));
    }

    [Fact]
    public async Task Per_consumer_qos_applies_only_to_consumers_created_after_it()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q1 = await DeclareQueueAsync(ch);
        var q2 = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q1, Texts("a", 10));
        await PublishTextsAsync(ch, q2, Texts("b", 10));
        var early = new CollectingConsumer(ch);
        var late = new CollectingConsumer(ch);

        await ch.BasicQosAsync(0, 1, global: false);
        await ch.BasicConsumeAsync(q1, autoAck: false, early);
        await ch.BasicQosAsync(0, 3, global: false);
        await ch.BasicConsumeAsync(q2, autoAck: false, late);

        await early.TakeAsync(1);
        await late.TakeAsync(3);
        await WaitForReadyCountAsync(ch, q1, 9);
        await WaitForReadyCountAsync(ch, q2, 7);
        await early.AssertNoDeliveryAsync();
        await late.AssertNoDeliveryAsync();
    }

    [Fact]
    public async Task Consumers_created_before_any_qos_are_unlimited()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: false, consumer);

        await ch.BasicQosAsync(0, 1, global: false);
        await PublishTextsAsync(ch, q, Texts("m", 5));

        Assert.Equal(Texts("m", 5), (await consumer.TakeAsync(5)).Select(d => d.Text));
    }

    [Fact]
    public async Task No_ack_consumers_ignore_prefetch()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 20));
        await ch.BasicQosAsync(0, 1, global: false);
        var consumer = new CollectingConsumer(ch);

        await ch.BasicConsumeAsync(q, autoAck: true, consumer);

        Assert.Equal(Texts("m", 20), (await consumer.TakeAsync(20)).Select(d => d.Text));
    }

    [Fact]
    public async Task Basic_get_is_not_limited_by_prefetch()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishTextsAsync(ch, q, Texts("m", 3));
        await ch.BasicQosAsync(0, 1, global: true);

        var a = await GetAsync(ch, q, autoAck: false);
        var b = await GetAsync(ch, q, autoAck: false);
        var c = await GetAsync(ch, q, autoAck: false);

        Assert.Equal([1UL, 2, 3], new[] { a.DeliveryTag, b.DeliveryTag, c.DeliveryTag });
    }

    [Fact]
    public async Task Prefetch_size_other_than_zero_closes_the_connection_with_540()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectConnectionClosedAsync(conn, ch, () => ch.BasicQosAsync(4096, 1, global: false));

        AssertReason(reason, 540, "NOT_IMPLEMENTED - prefetch_size!=0 (4096)", 60, 10);
    }
}
