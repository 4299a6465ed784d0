using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.QueueFeatures;

/// <summary>
/// Quorum queues' x-delivery-limit: redeliveries carry x-delivery-count, and a message returned more often than the
/// limit is dead-lettered with reason delivery_limit.
/// </summary>
public sealed class DeliveryLimitTests(BrokerFixture fixture) : QueueFeatureTestBase(fixture), IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_poison_message_is_dead_lettered_after_the_delivery_limit()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var dead = await DeclareQueueAsync(ch, "dead");
        var q = BrokerFixture.UniqueName("quorum");
        await ch.QueueDeclareAsync(q, durable: true, exclusive: false, autoDelete: false, Args(
            ("x-queue-type", "quorum"), ("x-delivery-limit", 1), ("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", dead)));
        DeleteAfterTest(q);

        await PublishAsync(ch, q, "poison");
        var first = await WaitForGetAsync(ch, q);
        Assert.Equal(0L, first.BasicProperties.Headers!["x-delivery-count"]);
        Assert.False(first.Redelivered);
        await ch.BasicNackAsync(first.DeliveryTag, multiple: false, requeue: true);

        var second = await WaitForGetAsync(ch, q);
        Assert.Equal(1L, second.BasicProperties.Headers!["x-delivery-count"]);
        Assert.True(second.Redelivered);
        await ch.BasicNackAsync(second.DeliveryTag, multiple: false, requeue: true);

        var result = await WaitForMessageAsync(ch, dead);
        Assert.Equal("poison", Text(result));
        Assert.Equal("delivery_limit", AsText(Assert.Single(Deaths(result.BasicProperties))["reason"]));
        Assert.Null(await ch.BasicGetAsync(q, autoAck: true));
    }

    private static async Task<BasicGetResult> WaitForGetAsync(IChannel ch, string queue)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (await ch.BasicGetAsync(queue, autoAck: false) is { } result)
            {
                return result;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no message in {queue}");
            await Task.Delay(20);
        }
    }
}
