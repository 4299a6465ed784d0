using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.QueueFeatures;

/// <summary>
/// x-dead-letter-exchange and -routing-key: rejected, expired and maxlen messages go to the dead-letter exchange with
/// x-death and x-first-death-*, as RabbitMQ 3.10 records them; cycles of automatic deaths are dropped.
/// </summary>
public sealed class DeadLetterTests(BrokerFixture fixture) : QueueFeatureTestBase(fixture), IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_rejected_message_is_dead_lettered_with_x_death()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var dead = await DeclareQueueAsync(ch, "dead");
        var q = await DeclareQueueAsync(ch, "work", Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", dead)));

        await PublishAsync(ch, q, "poison", new BasicProperties { MessageId = "m1" });
        var got = await ch.BasicGetAsync(q, autoAck: false);
        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: false);

        var result = await WaitForMessageAsync(ch, dead);
        Assert.Equal("poison", Text(result));
        Assert.Equal("m1", result.BasicProperties.MessageId);
        Assert.Equal("", result.Exchange);
        Assert.Equal(dead, result.RoutingKey);
        var death = Assert.Single(Deaths(result.BasicProperties));
        Assert.Equal(1L, death["count"]);
        Assert.Equal("rejected", AsText(death["reason"]));
        Assert.Equal(q, AsText(death["queue"]));
        Assert.Equal("", AsText(death["exchange"]));
        Assert.Equal([q], ((IEnumerable<object?>)death["routing-keys"]!).Select(AsText));
        Assert.IsType<AmqpTimestamp>(death["time"]);
        Assert.Equal("rejected", HeaderText(result.BasicProperties, "x-first-death-reason"));
        Assert.Equal(q, HeaderText(result.BasicProperties, "x-first-death-queue"));
        Assert.Equal("", HeaderText(result.BasicProperties, "x-first-death-exchange"));
    }

    [Fact]
    public async Task Nack_without_requeue_dead_letters_through_an_exchange_by_the_original_routing_key()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var dlx = await DeclareExchangeAsync(ch, "direct");
        var dead = await DeclareQueueAsync(ch, "dead");
        var q = await DeclareQueueAsync(ch, "work", Args(("x-dead-letter-exchange", dlx)));
        await ch.QueueBindAsync(dead, dlx, q);

        await PublishTextsAsync(ch, q, "one", "two");
        var first = await ch.BasicGetAsync(q, autoAck: false);
        var second = await ch.BasicGetAsync(q, autoAck: false);
        await ch.BasicNackAsync(second!.DeliveryTag, multiple: true, requeue: false);

        Assert.Equal("one", Text(await WaitForMessageAsync(ch, dead)));
        var next = await WaitForMessageAsync(ch, dead);
        Assert.Equal("two", Text(next));
        Assert.Equal(dlx, next.Exchange);
        Assert.Equal(q, next.RoutingKey);
        Assert.NotNull(first);
    }

    [Fact]
    public async Task An_expired_message_is_dead_lettered_with_its_original_expiration()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var dead = await DeclareQueueAsync(ch, "dead");
        var q = await DeclareQueueAsync(ch, "delay", Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", dead)));

        await PublishAsync(ch, q, "later", new BasicProperties { Expiration = "100" });

        var result = await WaitForMessageAsync(ch, dead);
        Assert.Equal("later", Text(result));
        Assert.Null(result.BasicProperties.Expiration);
        var death = Assert.Single(Deaths(result.BasicProperties));
        Assert.Equal("expired", AsText(death["reason"]));
        Assert.Equal("100", AsText(death["original-expiration"]));
        Assert.Equal("expired", HeaderText(result.BasicProperties, "x-first-death-reason"));
    }

    [Fact]
    public async Task Messages_dropped_from_the_head_of_a_full_queue_are_dead_lettered_as_maxlen()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var dead = await DeclareQueueAsync(ch, "dead");
        var q = await DeclareQueueAsync(ch, "full", Args(("x-max-length", 1), ("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", dead)));

        await PublishTextsAsync(ch, q, "old", "new");

        var result = await WaitForMessageAsync(ch, dead);
        Assert.Equal("old", Text(result));
        Assert.Equal("maxlen", AsText(Assert.Single(Deaths(result.BasicProperties))["reason"]));
        Assert.Equal(["new"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task A_second_death_in_the_same_queue_for_the_same_reason_counts_up()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var work = BrokerFixture.UniqueName("work");
        var retry = await DeclareQueueAsync(ch, "retry", Args(("x-message-ttl", 50), ("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", work)));
        await ch.QueueDeclareAsync(work, false, false, false, Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", retry)));
        DeleteAfterTest(work);

        await PublishAsync(ch, work, "job");
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var got = await WaitForMessageAsyncNoAck(ch, work);
            await ch.BasicRejectAsync(got.DeliveryTag, requeue: false);
        }

        var last = await WaitForMessageAsync(ch, work);
        var deaths = Deaths(last.BasicProperties);
        Assert.Equal(2, deaths.Count);
        Assert.Equal(retry, AsText(deaths[0]["queue"]));
        Assert.Equal("expired", AsText(deaths[0]["reason"]));
        Assert.Equal(2L, deaths[0]["count"]);
        Assert.Equal(work, AsText(deaths[1]["queue"]));
        Assert.Equal("rejected", AsText(deaths[1]["reason"]));
        Assert.Equal(2L, deaths[1]["count"]);
        Assert.Equal("rejected", HeaderText(last.BasicProperties, "x-first-death-reason"));
        Assert.Equal(work, HeaderText(last.BasicProperties, "x-first-death-queue"));
    }

    [Fact]
    public async Task Two_queues_expiring_into_each_other_drop_the_message_instead_of_cycling()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var a = BrokerFixture.UniqueName("cycle-a");
        var b = BrokerFixture.UniqueName("cycle-b");
        await ch.QueueDeclareAsync(a, false, false, false, Args(("x-message-ttl", 50), ("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", b)));
        DeleteAfterTest(a);
        await ch.QueueDeclareAsync(b, false, false, false, Args(("x-message-ttl", 50), ("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", a)));
        DeleteAfterTest(b);

        await PublishAsync(ch, a, "round");
        await Task.Delay(600);

        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(a)).MessageCount);
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(b)).MessageCount);
    }

    [Fact]
    public async Task Carbon_copy_routing_keys_are_recorded_in_x_death()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var dead = await DeclareQueueAsync(ch, "dead");
        var q = await DeclareQueueAsync(ch, "work", Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", dead)));

        await PublishAsync(ch, q, "cc", new BasicProperties { Headers = new Dictionary<string, object?> { ["CC"] = new List<object?> { "elsewhere" } } });
        var got = await WaitForMessageAsyncNoAck(ch, q);
        await ch.BasicRejectAsync(got.DeliveryTag, requeue: false);

        var result = await WaitForMessageAsync(ch, dead);
        Assert.Equal([q, "elsewhere"], ((IEnumerable<object?>)Assert.Single(Deaths(result.BasicProperties))["routing-keys"]!).Select(AsText));
        Assert.False(result.BasicProperties.Headers!.ContainsKey("CC"));
    }

    private static async Task<BasicGetResult> WaitForMessageAsyncNoAck(IChannel ch, string queue)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (await ch.BasicGetAsync(queue, autoAck: false) is { } result)
            {
                return result;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no message reached {queue}");
            await Task.Delay(20);
        }
    }
}
