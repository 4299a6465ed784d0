using System.Collections.Concurrent;
using System.Text;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansBroker.Tests.Integration.QueueFeatures;

/// <summary>x-max-priority queues, consumer priorities (x-priority) and x-single-active-consumer.</summary>
public sealed class PriorityTests(BrokerFixture fixture) : QueueFeatureTestBase(fixture), IClassFixture<BrokerFixture>
{
    // Publishes are confirmed before the queue is read: RabbitMQ may answer basic.get before it enqueued them.
    private static CreateChannelOptions Confirming => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    [Fact]
    public async Task Higher_priority_first_and_fifo_within_a_priority()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "prio", Args(("x-max-priority", 10)));

        await PublishAsync(ch, q, "p1", new BasicProperties { Priority = 1 });
        await PublishAsync(ch, q, "p5a", new BasicProperties { Priority = 5 });
        await PublishAsync(ch, q, "none");
        await PublishAsync(ch, q, "p5b", new BasicProperties { Priority = 5 });
        await PublishAsync(ch, q, "p200", new BasicProperties { Priority = 200 });
        await PublishAsync(ch, q, "p3", new BasicProperties { Priority = 3 });

        // 200 is capped at the queue's maximum (10), so it comes first.
        Assert.Equal(["p200", "p5a", "p5b", "p3", "p1", "none"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task A_requeued_message_goes_back_to_its_place_in_its_priority()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "prio", Args(("x-max-priority", 5)));

        await PublishAsync(ch, q, "low", new BasicProperties { Priority = 1 });
        await PublishAsync(ch, q, "high1", new BasicProperties { Priority = 4 });
        await PublishAsync(ch, q, "high2", new BasicProperties { Priority = 4 });
        var got = await ch.BasicGetAsync(q, autoAck: false);
        Assert.Equal("high1", Text(got!));
        await ch.BasicNackAsync(got!.DeliveryTag, multiple: false, requeue: true);

        Assert.Equal(["high1", "high2", "low"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Consumers_of_higher_priority_get_the_messages_while_they_have_room()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "cprio");
        var byConsumer = new ConcurrentDictionary<string, int>();
        var all = new CountdownEvent(10);
        foreach (var (tag, priority) in new[] { ("low", 0), ("high", 10), ("middle", 5) })
        {
            var consumer = new AsyncEventingBasicConsumer(ch);
            consumer.ReceivedAsync += (_, e) =>
            {
                byConsumer.AddOrUpdate(e.ConsumerTag, 1, (_, n) => n + 1);
                all.Signal();
                return Task.CompletedTask;
            };
            await ch.BasicConsumeAsync(q, autoAck: true, tag, noLocal: false, exclusive: false, Args(("x-priority", priority)), consumer);
        }

        await PublishTextsAsync(ch, q, Texts("m", 10));

        Assert.True(all.Wait(Timeout));
        Assert.Equal(10, byConsumer.GetValueOrDefault("high"));
    }

    [Fact]
    public async Task A_single_active_consumer_gets_everything_and_the_next_takes_over_on_cancel()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "sac", Args(("x-single-active-consumer", true)));
        var received = new ConcurrentQueue<(string Tag, string Body)>();
        foreach (var tag in new[] { "first", "second" })
        {
            var consumer = new AsyncEventingBasicConsumer(ch);
            consumer.ReceivedAsync += (_, e) =>
            {
                received.Enqueue((e.ConsumerTag, Encoding.UTF8.GetString(e.Body.Span)));
                return Task.CompletedTask;
            };
            await ch.BasicConsumeAsync(q, autoAck: true, tag, consumer);
        }

        await PublishTextsAsync(ch, q, "a", "b", "c");
        await WaitUntilAsync(() => received.Count == 3);
        Assert.All(received, r => Assert.Equal("first", r.Tag));

        await ch.BasicCancelAsync("first");
        await PublishTextsAsync(ch, q, "d");
        await WaitUntilAsync(() => received.Count == 4);
        Assert.Equal(("second", "d"), received.Last());
    }

    [Fact]
    public async Task The_next_consumer_takes_over_when_the_active_one_s_connection_closes()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(Confirming);
        var q = await DeclareQueueAsync(ch, "sac", Args(("x-single-active-consumer", true)));
        var active = await ConnectAsync();
        var activeChannel = await active.CreateChannelAsync();
        var first = 0;
        var firstConsumer = new AsyncEventingBasicConsumer(activeChannel);
        firstConsumer.ReceivedAsync += (_, _) =>
        {
            Interlocked.Increment(ref first);
            return Task.CompletedTask;
        };
        await activeChannel.BasicConsumeAsync(q, autoAck: true, firstConsumer);
        var second = new ConcurrentQueue<string>();
        var secondConsumer = new AsyncEventingBasicConsumer(ch);
        secondConsumer.ReceivedAsync += (_, e) =>
        {
            second.Enqueue(Encoding.UTF8.GetString(e.Body.Span));
            return Task.CompletedTask;
        };
        await ch.BasicConsumeAsync(q, autoAck: true, secondConsumer);

        await PublishTextsAsync(ch, q, "to-first");
        await WaitUntilAsync(() => Volatile.Read(ref first) == 1);
        await active.CloseAsync();
        await active.DisposeAsync();
        await PublishTextsAsync(ch, q, "to-second");

        await WaitUntilAsync(() => second.Count == 1);
        Assert.Equal(["to-second"], second);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
