using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>tx.select / tx.commit / tx.rollback: publishes and acks take effect on commit only.</summary>
public sealed class TransactionTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public TransactionTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Transactional_publishes_are_invisible_until_commit()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        await using var observer = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(observer);
        var consumer = new CollectingConsumer(observer);
        await observer.BasicConsumeAsync(q, autoAck: true, consumer);
        await tx.TxSelectAsync();

        await PublishTextsAsync(tx, q, Texts("t", 5));

        await consumer.AssertNoDeliveryAsync(); // uncommitted: nothing may reach the queue
        Assert.Equal(0u, (await observer.QueueDeclarePassiveAsync(q)).MessageCount);

        await tx.TxCommitAsync();

        Assert.Equal(Texts("t", 5), (await consumer.TakeAsync(5)).Select(d => d.Text));
    }

    [Fact]
    public async Task Rollback_discards_uncommitted_publishes()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(tx);
        await tx.TxSelectAsync();

        await PublishTextsAsync(tx, q, "discard-1", "discard-2");
        await tx.TxRollbackAsync();
        await PublishTextsAsync(tx, q, "keep");
        await tx.TxCommitAsync();

        Assert.Equal(1u, (await tx.QueueDeclarePassiveAsync(q)).MessageCount);
        var got = await GetAsync(tx, q, autoAck: true);
        Assert.Equal("keep", System.Text.Encoding.UTF8.GetString(got.Body.Span));
    }

    [Fact]
    public async Task The_channel_stays_transactional_after_commit()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(tx);
        await tx.TxSelectAsync();

        await PublishTextsAsync(tx, q, "first");
        await tx.TxCommitAsync();
        await PublishTextsAsync(tx, q, "second");
        await tx.TxRollbackAsync();

        Assert.Equal(1u, (await tx.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Commit_and_rollback_of_an_empty_transaction_succeed()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        await tx.TxSelectAsync();

        await tx.TxCommitAsync();
        await tx.TxRollbackAsync();
        await tx.TxCommitAsync();

        Assert.True(tx.IsOpen);
    }

    [Fact]
    public async Task Tx_select_twice_is_allowed()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();

        await tx.TxSelectAsync();
        await tx.TxSelectAsync();

        await tx.TxCommitAsync();
    }

    [Fact]
    public async Task Acks_in_a_transaction_take_effect_on_commit()
    {
        await using var conn = await ConnectAsync();
        await using var check = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, "a", "b");
        await WaitForReadyCountAsync(check, q, 2);

        await using (var tx = await conn.CreateChannelAsync())
        {
            await tx.TxSelectAsync();
            await GetAsync(tx, q, autoAck: false);
            var b = await GetAsync(tx, q, autoAck: false);
            await tx.BasicAckAsync(b.DeliveryTag, multiple: true);
            await tx.TxCommitAsync();
            await tx.CloseAsync(); // anything still unacked would be requeued now
        }

        Assert.Equal(0u, (await check.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Rolled_back_acks_are_forgotten_and_the_messages_stay_unacked()
    {
        await using var conn = await ConnectAsync();
        await using var check = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(check);
        await PublishTextsAsync(check, q, "a", "b");
        await WaitForReadyCountAsync(check, q, 2);

        await using (var tx = await conn.CreateChannelAsync())
        {
            await tx.TxSelectAsync();
            var a = await GetAsync(tx, q, autoAck: false);
            var b = await GetAsync(tx, q, autoAck: false);
            await tx.BasicAckAsync(a.DeliveryTag, multiple: false);
            await tx.BasicAckAsync(b.DeliveryTag, multiple: false);
            await tx.TxRollbackAsync();

            // Rollback does not requeue: both are still held by this channel.
            Assert.Equal(0u, (await check.QueueDeclarePassiveAsync(q)).MessageCount);

            // The same tags can be acked again, and this time committed.
            await tx.BasicAckAsync(a.DeliveryTag, multiple: false);
            await tx.TxCommitAsync();
            await tx.CloseAsync();
        }

        // b was never committed as acked, so closing the channel requeued it.
        await WaitForReadyCountAsync(check, q, 1);
        var left = await GetAsync(check, q, autoAck: true);
        Assert.Equal("b", System.Text.Encoding.UTF8.GetString(left.Body.Span));
        Assert.True(left.Redelivered);
    }

    [Fact]
    public async Task Requeueing_reject_in_a_transaction_happens_on_commit()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(tx);
        await PublishTextsAsync(tx, q, "r");
        await WaitForReadyCountAsync(tx, q, 1);
        await tx.TxSelectAsync();
        var got = await GetAsync(tx, q, autoAck: false);

        await tx.BasicRejectAsync(got.DeliveryTag, requeue: true);
        await WatchQuietPeriodAsync(); // an eager broker would requeue now
        Assert.Equal(0u, (await tx.QueueDeclarePassiveAsync(q)).MessageCount);

        await tx.TxCommitAsync();

        Assert.Equal(1u, (await tx.QueueDeclarePassiveAsync(q)).MessageCount);
        var again = await GetAsync(tx, q, autoAck: true);
        Assert.True(again.Redelivered);
    }

    [Fact]
    public async Task Consumer_acks_in_a_transaction_do_not_free_prefetch_until_commit()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(tx);
        await PublishTextsAsync(tx, q, Texts("m", 3));
        await WaitForReadyCountAsync(tx, q, 3);
        await tx.TxSelectAsync();
        await tx.BasicQosAsync(0, 1, global: false);
        var consumer = new CollectingConsumer(tx);
        await tx.BasicConsumeAsync(q, autoAck: false, consumer);
        var first = await consumer.NextAsync();

        await tx.BasicAckAsync(first.DeliveryTag, multiple: false);
        await consumer.AssertNoDeliveryAsync(); // the ack is pending in the transaction

        await tx.TxCommitAsync();

        Assert.Equal("m1", (await consumer.NextAsync()).Text);
    }

    [Fact]
    public async Task Mandatory_return_of_a_transactional_publish_arrives_at_commit()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        var returned = new TaskCompletionSource<BasicReturnEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        tx.BasicReturnAsync += (_, e) =>
        {
            returned.TrySetResult(e);
            return Task.CompletedTask;
        };
        await tx.TxSelectAsync();

        await tx.BasicPublishAsync(string.Empty, BrokerFixture.UniqueName("nowhere"), mandatory: true, new BasicProperties(), Utf8("x"));
        await WatchQuietPeriodAsync(); // nothing is routed, so nothing returned, before commit
        Assert.False(returned.Task.IsCompleted);

        await tx.TxCommitAsync();

        var r = await returned.Task.WaitAsync(Timeout);
        Assert.Equal(312, r.ReplyCode);
        Assert.Equal("NO_ROUTE", r.ReplyText);
    }

    [Fact]
    public async Task Tx_commit_without_tx_select_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(ch, () => ch.TxCommitAsync());

        AssertReason(reason, 406, "PRECONDITION_FAILED - channel is not transactional", 90, 20);
        Assert.True(conn.IsOpen);
    }

    [Fact]
    public async Task Tx_rollback_without_tx_select_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        var reason = await ExpectChannelClosedAsync(ch, () => ch.TxRollbackAsync());

        AssertReason(reason, 406, "PRECONDITION_FAILED - channel is not transactional", 90, 30);
    }

    [Fact]
    public async Task Tx_select_on_a_confirm_channel_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

        var reason = await ExpectChannelClosedAsync(ch, () => ch.TxSelectAsync());

        AssertReason(reason, 406, "PRECONDITION_FAILED - cannot switch from confirm to tx mode", 90, 10);
        Assert.True(conn.IsOpen);
    }

    [Fact]
    public async Task Confirm_select_on_a_transactional_channel_closes_the_channel_with_406()
    {
        // RabbitMQ.Client only sends confirm.select when a channel is created, so this needs raw AMQP.
        await using var raw = await OpenRawAsync();
        await raw.SendAsync(Frames.TxSelect(1));
        await raw.ExpectMethodAsync(1, 90, 11);

        await raw.SendAsync(Frames.ConfirmSelect(1));

        var close = await raw.ExpectMethodAsync(1, 20, 40);
        AssertRawClose(close, 406, "PRECONDITION_FAILED - cannot switch from tx to confirm mode", 85, 10);
        await raw.SendAsync(Frames.ChannelCloseOk(1)); // the connection lives on
        await raw.OpenChannelAsync(2);
    }

    [Fact]
    public async Task Unknown_delivery_tag_in_a_transaction_fails_at_the_ack_not_at_commit()
    {
        await using var conn = await ConnectAsync();
        await using var tx = await conn.CreateChannelAsync();
        await tx.TxSelectAsync();

        var reason = await ExpectChannelClosedAsync(tx, async () =>
        {
            await tx.BasicAckAsync(99, multiple: false);
            await tx.TxCommitAsync();
        });

        AssertReason(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 99", 60, 80);
    }
}
