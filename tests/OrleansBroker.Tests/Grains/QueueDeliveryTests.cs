using OrleansBroker.Grains.Queues;
using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>Enqueued messages reach consumers in order, round-robin between consumers.</summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueueDeliveryTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task Deliveries_arrive_in_the_order_the_messages_were_enqueued()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2"));
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 100), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m3"));
        await queue.Grain.Enqueue(TransientBatch("m4", "m5", "m6"));

        var deliveries = await consumer.WaitForDeliveriesAsync(6);

        Assert.Equal(["m1", "m2", "m3", "m4", "m5", "m6"], BodiesOf(deliveries));
        Assert.All(deliveries, delivery => Assert.Equal("ctag", delivery.ConsumerTag));
        Assert.All(deliveries, delivery => Assert.False(delivery.Redelivered));
        Assert.Equal(deliveries.Select(d => d.MessageId).Order(), deliveries.Select(d => d.MessageId));
        Assert.All(consumer.Batches, batch => Assert.Equal(queue.Name, batch.Queue));
        Assert.Equal(0u, (await queue.Grain.GetCounts()).MessageCount);
    }

    [Fact]
    public async Task Two_consumers_on_two_channels_take_turns()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var first = RecordingConsumer.Create(Grains);
        var second = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch-1", "first", credit: 100), first.Reference);
        await queue.Grain.Consume(Registration("ch-2", "second", credit: 100), second.Reference);

        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4", "m5", "m6"));

        Assert.Equal(["m1", "m3", "m5"], BodiesOf(await first.WaitForDeliveriesAsync(3)));
        Assert.Equal(["m2", "m4", "m6"], BodiesOf(await second.WaitForDeliveriesAsync(3)));
    }

    [Fact]
    public async Task Two_consumers_of_one_channel_take_turns_within_one_observer_call()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var channel = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "a", credit: 100), channel.Reference);
        await queue.Grain.Consume(Registration("ch", "b", credit: 100), channel.Reference);

        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4"));

        var deliveries = await channel.WaitForDeliveriesAsync(4);
        Assert.Equal(["m1", "m2", "m3", "m4"], BodiesOf(deliveries));
        Assert.Equal(["a", "b", "a", "b"], deliveries.Select(d => d.ConsumerTag));

        // The queue sends what one turn dispatched to a channel in one call.
        Assert.Single(channel.Batches);
    }
}
