using OrleansBroker.Client;
using RabbitMQ.Client;
using static OrleansBroker.Tests.AppApi.AmqpQueueReads;

namespace OrleansBroker.Tests.AppApi;

/// <summary>
/// Ack, requeue, reject, prefetch and automatic acknowledgement through the app API, as an AMQP client then sees the
/// queue: the same outcomes as basic.ack, basic.reject and basic.qos give.
/// </summary>
[Collection(AppApiCollection.Name)]
public sealed class SettlementTests(AppApiBroker broker) : IAsyncLifetime
{
    private readonly List<string> _queues = new();
    private BrokerSession _session = null!;
    private IConnection _amqp = null!;
    private IChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _session = await broker.OpenSessionAsync();
        _amqp = await broker.ConnectAmqpAsync();
        _channel = await _amqp.CreateChannelAsync();
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        foreach (var queue in _queues)
        {
            await _channel.QueueDeleteAsync(queue);
        }

        await _channel.DisposeAsync();
        await _amqp.DisposeAsync();
    }

    [Fact]
    public async Task Acked_messages_are_gone_and_unacked_ones_return_redelivered_when_the_consumer_stops()
    {
        var queue = await QueueWithAsync("m0", "m1", "m2");

        await using (var stream = _session.Consume(queue).GetAsyncEnumerator())
        {
            var taken = await TakeAsync(stream, 3);
            await taken[1].AckAsync();
        }

        var left = await GetAllAsync(_channel, queue);
        Assert.Equal(["m0", "m2"], left.Select(Text));
        Assert.All(left, m => Assert.True(m.Redelivered));
    }

    [Fact]
    public async Task A_requeued_message_comes_back_marked_redelivered()
    {
        var queue = await QueueWithAsync("m0");
        await using var stream = _session.Consume(queue).GetAsyncEnumerator();

        var first = Assert.Single(await TakeAsync(stream, 1));
        await first.RequeueAsync();
        var again = Assert.Single(await TakeAsync(stream, 1));

        Assert.False(first.Redelivered);
        Assert.True(again.Redelivered);
        Assert.Equal("m0", Text(again.Body));
        await again.AckAsync();
    }

    [Fact]
    public async Task A_rejected_message_is_dropped()
    {
        var queue = await QueueWithAsync("m0", "m1");

        await using (var stream = _session.Consume(queue).GetAsyncEnumerator())
        {
            var taken = await TakeAsync(stream, 2);
            await taken[0].RejectAsync();
            await taken[1].AckAsync();
        }

        Assert.Empty(await GetAllAsync(_channel, queue));
    }

    [Fact]
    public async Task The_prefetch_bounds_the_unsettled_messages_and_each_ack_lets_one_more_come()
    {
        var queue = await QueueWithAsync("m0", "m1", "m2", "m3", "m4");
        await using var stream = _session.Consume(queue, new ConsumeOptions { Prefetch = 2 }).GetAsyncEnumerator();

        var taken = await TakeAsync(stream, 2);
        Assert.Equal(3u, (await _session.InspectQueueAsync(queue)).MessageCount);

        await taken[0].AckAsync();
        Assert.Equal(2u, (await _session.InspectQueueAsync(queue)).MessageCount);
        Assert.Equal("m2", Text(Assert.Single(await TakeAsync(stream, 1)).Body));
    }

    [Fact]
    public async Task Automatically_acknowledged_messages_leave_the_queue_and_cannot_be_settled()
    {
        var queue = await QueueWithAsync("m0", "m1", "m2");

        await using (var stream = _session.Consume(queue, new ConsumeOptions { AutoAck = true, Prefetch = 2 }).GetAsyncEnumerator())
        {
            var taken = await TakeAsync(stream, 3);
            Assert.All(taken, m => Assert.True(m.AutoAcknowledged));
            await Assert.ThrowsAsync<InvalidOperationException>(() => taken[0].AckAsync());
        }

        Assert.Empty(await GetAllAsync(_channel, queue));
    }

    [Fact]
    public async Task A_message_is_settled_once()
    {
        var queue = await QueueWithAsync("m0");
        await using var stream = _session.Consume(queue).GetAsyncEnumerator();

        var message = Assert.Single(await TakeAsync(stream, 1));
        await message.AckAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => message.AckAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => message.RequeueAsync());
    }

    [Fact]
    public async Task Messages_received_but_never_handed_to_the_app_go_back_unmarked()
    {
        var queue = await QueueWithAsync("m0", "m1", "m2", "m3", "m4");

        await using (var stream = _session.Consume(queue, new ConsumeOptions { Prefetch = 5 }).GetAsyncEnumerator())
        {
            await TakeAsync(stream, 1);
        }

        var left = await GetAllAsync(_channel, queue);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], left.Select(Text));
        Assert.Equal([true, false, false, false, false], left.Select(m => m.Redelivered));
    }

    [Fact]
    public async Task An_observer_that_throws_stops_its_consumer_and_its_messages_go_back()
    {
        var queue = await QueueWithAsync("m0", "m1");
        var failure = new InvalidOperationException("the app failed");
        var observer = new RecordingObserver { OnDelivery = _ => throw failure };

        var consumer = await _session.ConsumeAsync(queue, observer);

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.Completion.WaitAsync(AppApiBroker.Timeout)));
        var left = await GetAllAsync(_channel, queue);
        Assert.Equal(["m0", "m1"], left.Select(Text));
        Assert.Equal([true, false], left.Select(m => m.Redelivered));
        Assert.Equal(0u, (await _session.InspectQueueAsync(queue)).ConsumerCount);
    }

    [Fact]
    public async Task Deleting_the_queue_cancels_the_consumer()
    {
        var queue = await QueueWithAsync();
        var observer = new RecordingObserver();
        var consumer = await _session.ConsumeAsync(queue, observer);

        await _channel.QueueDeleteAsync(queue);

        await observer.Cancelled.Task.WaitAsync(AppApiBroker.Timeout);
        await consumer.Completion.WaitAsync(AppApiBroker.Timeout);
        Assert.True(consumer.CancelledByBroker);
    }

    [Fact]
    public async Task A_fetched_message_not_settled_goes_back_when_the_session_ends()
    {
        var queue = await QueueWithAsync("m0", "m1");
        var session = await broker.OpenSessionAsync();

        var fetched = await session.GetAsync(queue);
        Assert.Equal("m0", Text(fetched!.Body));
        await session.DisposeAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => fetched.AckAsync());
        var left = await GetAllAsync(_channel, queue);
        Assert.Equal(["m0", "m1"], left.Select(Text));
        Assert.Equal([true, false], left.Select(m => m.Redelivered));
    }

    /// <summary>A queue (deleted after the test) holding these messages, published over AMQP.</summary>
    private async Task<string> QueueWithAsync(params string[] texts)
    {
        var queue = (await _channel.QueueDeclareAsync(AppApiBroker.UniqueName("q"), durable: false, exclusive: false, autoDelete: false)).QueueName;
        _queues.Add(queue);
        foreach (var text in texts)
        {
            await _channel.BasicPublishAsync(string.Empty, queue, Utf8(text));
        }

        await AppApiBroker.WaitForReadyAsync(_session, queue, (uint)texts.Length);
        return queue;
    }

    /// <summary>The next <paramref name="count"/> messages of a consumer's stream.</summary>
    private static async Task<List<DeliveredMessage>> TakeAsync(IAsyncEnumerator<DeliveredMessage> stream, int count)
    {
        var taken = new List<DeliveredMessage>();
        while (taken.Count < count)
        {
            Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(AppApiBroker.Timeout), "the stream ended");
            taken.Add(stream.Current);
        }

        return taken;
    }
}
