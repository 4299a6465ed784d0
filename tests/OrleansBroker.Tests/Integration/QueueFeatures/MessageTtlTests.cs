using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.QueueFeatures;

/// <summary>x-message-ttl and the expiration property: expired messages are never delivered and leave at the head.</summary>
public sealed class MessageTtlTests(BrokerFixture fixture) : QueueFeatureTestBase(fixture), IClassFixture<BrokerFixture>
{
    // Counts are checked once the publishes are confirmed: RabbitMQ may answer queue.declare before it enqueued them.
    private static CreateChannelOptions Confirming => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    [Fact]
    public async Task Messages_past_the_queue_ttl_leave_and_are_never_delivered()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "ttl", Args(("x-message-ttl", 2000)));

        await PublishTextsAsync(ch, q, "a", "b", "c");
        Assert.Equal(3u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);

        await WaitForReadyCountAsync(ch, q, 0);
        Assert.Null(await ch.BasicGetAsync(q, autoAck: true));
    }

    [Fact]
    public async Task A_message_expiration_applies_to_that_message_only()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "ttl");

        await PublishAsync(ch, q, "short", new BasicProperties { Expiration = "100" });
        await PublishAsync(ch, q, "forever");
        await Task.Delay(300);

        Assert.Equal(["forever"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task An_expired_message_behind_the_head_is_counted_until_it_reaches_the_head()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "ttl");

        await PublishAsync(ch, q, "head");
        await PublishAsync(ch, q, "short", new BasicProperties { Expiration = "50" });
        await Task.Delay(300);

        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
        Assert.Equal(["head"], await DrainAsync(ch, q));
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Ttl_zero_reaches_a_waiting_consumer_and_is_dropped_without_one()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "ttl0", Args(("x-message-ttl", 0)));

        await PublishAsync(ch, q, "nobody");
        await WaitForReadyCountAsync(ch, q, 0);

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(ch);
        consumer.ReceivedAsync += (_, e) =>
        {
            received.TrySetResult(System.Text.Encoding.UTF8.GetString(e.Body.Span));
            return Task.CompletedTask;
        };
        await ch.BasicConsumeAsync(q, autoAck: true, consumer);
        await PublishAsync(ch, q, "somebody");

        Assert.Equal("somebody", await received.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_requeued_message_keeps_its_deadline()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "ttl", Args(("x-message-ttl", 300)));

        await PublishAsync(ch, q, "m");
        var got = await ch.BasicGetAsync(q, autoAck: false);
        Assert.NotNull(got);
        await Task.Delay(400);
        await ch.BasicNackAsync(got!.DeliveryTag, multiple: false, requeue: true);

        await WaitForReadyCountAsync(ch, q, 0);
        Assert.Null(await ch.BasicGetAsync(q, autoAck: true));
    }
}
