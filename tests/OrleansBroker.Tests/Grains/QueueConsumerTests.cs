using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>Attaching and detaching consumers: exclusivity, counts, and what a cancel reports back to the channel.</summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueueConsumerTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task Counts_are_the_ready_messages_and_the_consumers()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var channel = RecordingConsumer.Create(Grains);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3"));

        // No credit yet: attached, but sent nothing.
        await queue.Grain.Consume(Registration("ch", "a", credit: 0), channel.Reference);
        await queue.Grain.Consume(Registration("ch", "b", credit: 0), channel.Reference);

        Assert.Equal(new QueueCounts(3, 2), await queue.Grain.GetCounts());
        Assert.Equal(3u, await queue.Grain.Purge());
        Assert.Equal(new QueueCounts(0, 2), await queue.Grain.GetCounts());
        Assert.Empty(channel.Deliveries);
    }

    [Fact]
    public async Task Cancel_reports_how_many_deliveries_the_consumer_was_sent()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 3), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4"));

        var cancelled = await queue.Grain.Cancel("ch", "ctag");

        Assert.Equal(new ConsumerCancelResult(Found: true, Delivered: 3, LastConsumerOfAutoDeleteQueue: false), cancelled);
        Assert.Equal(new QueueCounts(1, 0), await queue.Grain.GetCounts());
        Assert.Equal(new ConsumerCancelResult(Found: false, 0, false), await queue.Grain.Cancel("ch", "ctag"));
    }

    [Fact]
    public async Task Cancelling_the_last_consumer_of_an_auto_delete_queue_says_so()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains, autoDelete: true);
        var channel = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "a", credit: 10), channel.Reference);
        await queue.Grain.Consume(Registration("ch", "b", credit: 10), channel.Reference);

        var first = await queue.Grain.Cancel("ch", "a");
        var last = await queue.Grain.Cancel("ch", "b");

        Assert.False(first.LastConsumerOfAutoDeleteQueue);
        Assert.True(last.LastConsumerOfAutoDeleteQueue);
    }

    [Fact]
    public async Task An_exclusive_consumer_keeps_others_out()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        await queue.Grain.Consume(Registration("ch-1", "owner", credit: 10, exclusive: true), RecordingConsumer.Create(Grains).Reference);

        var refused = await Assert.ThrowsAsync<BrokerException>(
            async () => await queue.Grain.Consume(Registration("ch-2", "other", credit: 10), RecordingConsumer.Create(Grains).Reference));

        Assert.Equal(ReplyCode.AccessRefused, refused.Code);
        Assert.Equal(queue.ReplyAbout("ACCESS_REFUSED", "in exclusive use"), refused.ReplyText);
        Assert.Equal(1u, (await queue.Grain.GetCounts()).ConsumerCount);
    }

    [Fact]
    public async Task An_exclusive_consumer_cannot_join_a_queue_with_consumers()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        await queue.Grain.Consume(Registration("ch-1", "first", credit: 10), RecordingConsumer.Create(Grains).Reference);

        var refused = await Assert.ThrowsAsync<BrokerException>(
            async () => await queue.Grain.Consume(Registration("ch-2", "exclusive", credit: 10, exclusive: true), RecordingConsumer.Create(Grains).Reference));

        Assert.Equal(queue.ReplyAbout("ACCESS_REFUSED", "in exclusive use"), refused.ReplyText);
    }
}
