using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.QueueFeatures;

/// <summary>x-expires: a queue nobody uses (no consumer, no basic.get, no redeclare) is deleted after the period.</summary>
public sealed class QueueExpiryTests(BrokerFixture fixture) : QueueFeatureTestBase(fixture), IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task An_unused_queue_is_deleted_with_its_messages_and_bindings()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = BrokerFixture.UniqueName("expires");
        await ch.QueueDeclareAsync(q, false, false, false, Args(("x-expires", 300)));
        await ch.QueueBindAsync(q, "amq.fanout", "");
        await PublishTextsAsync(ch, q, "gone too");

        await Task.Delay(1000);

        var closed = await ExpectChannelClosedAsync(ch, () => ch.QueueDeclarePassiveAsync(q));
        Assert.Equal(404, closed.ReplyCode);
        Assert.Equal($"NOT_FOUND - no queue '{q}' in vhost '/'", closed.ReplyText);
    }

    [Fact]
    public async Task A_queue_with_a_consumer_stays()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch, "expires", Args(("x-expires", 300)));
        await ch.BasicConsumeAsync(q, autoAck: true, new AsyncEventingBasicConsumer(ch));

        await Task.Delay(1000);

        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q)).ConsumerCount);
    }

    [Fact]
    public async Task Redeclaring_restarts_the_lease()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        // Redeclared every second for four seconds under a three-second lease: outlives it only if each redeclare
        // restarts it, with two seconds of slack per step for a loaded machine.
        var q = await DeclareQueueAsync(ch, "expires", Args(("x-expires", 3000)));

        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(1000);
            await ch.QueueDeclarePassiveAsync(q);
        }

        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q)).MessageCount);
    }
}
