using OrleansBroker.Grains.Model;
using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// What a channel's settlements do: an ack or a discard drops the message, a requeue puts it back where it was marked
/// redelivered, a return puts it back where it was as if never delivered.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueueSettlementTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task Requeued_messages_go_back_to_their_places_marked_redelivered()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 2), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4"));
        var delivered = await consumer.WaitForDeliveriesAsync(2);

        // Out of order on purpose: the queue orders them by where they were, not by when they came back.
        await queue.Grain.Settle(Settle("ch", SettlementKind.Requeue, delivered[1], delivered[0]));
        Assert.Equal(4u, (await queue.Grain.GetCounts()).MessageCount);
        await queue.Grain.Settle(Grant("ch", "ctag", sequence: 1, received: 2, credit: 4));

        var redelivered = (await consumer.WaitForDeliveriesAsync(6)).Skip(2).ToArray();
        Assert.Equal(["m1", "m2", "m3", "m4"], BodiesOf(redelivered));
        Assert.Equal([true, true, false, false], redelivered.Select(d => d.Redelivered));
    }

    [Fact]
    public async Task Returned_messages_go_back_to_their_places_not_marked_redelivered()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 2), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3"));
        var delivered = await consumer.WaitForDeliveriesAsync(2);
        await queue.Grain.Cancel("ch", "ctag");

        await queue.Grain.Settle(Settle("ch", SettlementKind.Return, delivered[1], delivered[0]));

        var gets = new[] { await queue.Grain.Get("ch", noAck: true), await queue.Grain.Get("ch", noAck: true), await queue.Grain.Get("ch", noAck: true) };
        Assert.Equal(["m1", "m2", "m3"], BodiesOf(gets.Select(get => get.Delivery!.Value)));
        Assert.All(gets, get => Assert.False(get.Delivery!.Value.Redelivered));
    }

    [Fact]
    public async Task An_acked_message_is_gone_for_good()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 2), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2"));
        var delivered = await consumer.WaitForDeliveriesAsync(2);
        await queue.Grain.Cancel("ch", "ctag");

        await queue.Grain.Settle(Settle("ch", SettlementKind.Ack, delivered[0]));

        // A later requeue of both brings back only the unacked one.
        await queue.Grain.Settle(Settle("ch", SettlementKind.Requeue, delivered[0], delivered[1]));
        Assert.Equal(1u, (await queue.Grain.GetCounts()).MessageCount);
        var get = await queue.Grain.Get("ch", noAck: true);
        Assert.Equal("m2", BodyOf(get.Delivery!.Value));
        Assert.True(get.Delivery!.Value.Redelivered);
    }

    [Fact]
    public async Task A_discarded_message_is_gone_for_good()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 1), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1"));
        var delivered = await consumer.WaitForDeliveriesAsync(1);
        await queue.Grain.Cancel("ch", "ctag");

        await queue.Grain.Settle(Settle("ch", SettlementKind.Discard, delivered[0]));
        await queue.Grain.Settle(Settle("ch", SettlementKind.Requeue, delivered[0]));

        Assert.Equal(0u, (await queue.Grain.GetCounts()).MessageCount);
    }
}
