using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>A channel-level error closes that channel only: the connection, its other channels and consumers carry on.</summary>
public sealed class ChannelIsolationTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public ChannelIsolationTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task A_channel_error_leaves_the_connection_and_its_other_channels_working()
    {
        await using var conn = await ConnectAsync();
        await using var healthy = await conn.CreateChannelAsync();
        await using var doomed = await conn.CreateChannelAsync();
        var missing = BrokerFixture.UniqueName("missing");

        var reason = await ExpectChannelClosedAsync(doomed, () => doomed.QueueDeclarePassiveAsync(missing));

        AssertReason(reason, 404, $"NOT_FOUND - no queue '{missing}' in vhost '/'", 50, 10);
        Assert.True(conn.IsOpen);
        Assert.True(healthy.IsOpen);
        await AssertChannelUsableAsync(healthy);
        await using var fresh = await conn.CreateChannelAsync();
        await AssertChannelUsableAsync(fresh);
    }

    [Fact]
    public async Task Consumers_on_other_channels_keep_receiving_after_a_channel_error()
    {
        await using var conn = await ConnectAsync();
        await using var sub = await conn.CreateChannelAsync();
        await using var pub = await conn.CreateChannelAsync();
        await using var doomed = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(sub);
        var consumer = new CollectingConsumer(sub);
        await sub.BasicConsumeAsync(q, autoAck: false, consumer);
        await PublishTextsAsync(pub, q, "before");
        var before = await consumer.NextAsync();

        await ExpectChannelClosedAsync(doomed, () => doomed.BasicAckAsync(1234, multiple: false).AsTask());

        await PublishTextsAsync(pub, q, "after");
        var after = await consumer.NextAsync();
        Assert.Equal("after", after.Text);
        Assert.Equal(before.DeliveryTag + 1, after.DeliveryTag);
        await sub.BasicAckAsync(after.DeliveryTag, multiple: true);
        await WaitForReadyCountAsync(pub, q, 0);
    }

    [Fact]
    public async Task Unacked_messages_of_a_channel_closed_by_an_error_are_requeued()
    {
        await using var conn = await ConnectAsync();
        await using var check = await conn.CreateChannelAsync();
        await using var doomed = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, "held");
        var got = await GetAsync(doomed, q, autoAck: false);

        await ExpectChannelClosedAsync(doomed, () => doomed.BasicAckAsync(got.DeliveryTag + 1, multiple: false).AsTask());

        await WaitForReadyCountAsync(check, q, 1);
        Assert.True((await GetAsync(check, q, autoAck: true)).Redelivered);
    }

    [Fact]
    public async Task A_channel_error_on_one_connection_is_not_seen_by_another()
    {
        await using var conn1 = await ConnectAsync();
        await using var conn2 = await ConnectAsync();
        await using var doomed = await conn1.CreateChannelAsync();
        await using var other = await conn2.CreateChannelAsync();

        await ExpectChannelClosedAsync(doomed, () => doomed.TxCommitAsync());

        Assert.True(conn1.IsOpen);
        Assert.True(conn2.IsOpen);
        Assert.True(other.IsOpen);
        await AssertChannelUsableAsync(other);
    }

    [Fact]
    public async Task Several_channels_can_fail_one_after_another_on_one_connection()
    {
        await using var conn = await ConnectAsync();

        for (var i = 0; i < 5; i++)
        {
            await using var ch = await conn.CreateChannelAsync();
            var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicAckAsync((ulong)(100 + i), multiple: false).AsTask());
            AssertReason(reason, 406, $"PRECONDITION_FAILED - unknown delivery tag {100 + i}", 60, 80);
        }

        Assert.True(conn.IsOpen);
        await using var last = await conn.CreateChannelAsync();
        await AssertChannelUsableAsync(last);
    }

    [Fact]
    public async Task A_connection_error_closes_every_channel_of_that_connection_only()
    {
        await using var conn = await ConnectAsync();
        await using var bystander = await ConnectAsync();
        await using var ch1 = await conn.CreateChannelAsync();
        await using var ch2 = await conn.CreateChannelAsync();
        await using var other = await bystander.CreateChannelAsync();

        await ExpectConnectionClosedAsync(conn, ch1, () => ch1.BasicQosAsync(1, 0, global: false));

        Assert.False(ch2.IsOpen);
        Assert.True(bystander.IsOpen);
        await AssertChannelUsableAsync(other);
    }
}
