using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A queue on one silo delivers to consumers whose observer lives elsewhere (the cluster client, or another silo's
/// gateway), in order and within credit, and settlements and grants from elsewhere reach it.
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class CrossSiloDeliveryTests(ThreeSiloCluster cluster)
{
    [Fact]
    public async Task Deliveries_reach_an_observer_created_on_the_client()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var consumer = RecordingConsumer.Create(cluster.Client);
        await topology.QueueGrain(cluster.Client).Consume(Registration("ch", "ctag", credit: 3), consumer.Reference);

        await topology.QueueGrain(BrokerCluster.GrainFactoryOf(topology.VirtualHostSilo))
            .Enqueue(Batch(Transient("m1"), Persistent("m2"), Transient("m3"), Transient("m4"), Transient("m5")));

        var delivered = await consumer.WaitForDeliveriesAsync(3);
        Assert.Equal(["m1", "m2", "m3"], BodiesOf(delivered));
        Assert.Equal(2u, (await topology.QueueGrain(cluster.Client).GetCounts()).MessageCount);

        var fromExchangeSilo = topology.QueueGrain(BrokerCluster.GrainFactoryOf(topology.ExchangeSilo));
        await fromExchangeSilo.Settle(new SettlementBatch(
            "ch",
            [new Settlement(delivered[0].MessageId, SettlementKind.Ack), new Settlement(delivered[1].MessageId, SettlementKind.Requeue)],
            [new CreditGrant("ctag", Sequence: 1, Received: 3, Credit: 3)]));

        var redelivered = (await consumer.WaitForDeliveriesAsync(6)).Skip(3).ToArray();
        Assert.Equal(["m2", "m4", "m5"], BodiesOf(redelivered));
        Assert.Equal([true, false, false], redelivered.Select(d => d.Redelivered));
        Assert.Equal(delivered[1].Message.Properties.ToArray(), redelivered[0].Message.Properties.ToArray());
        Assert.True(redelivered[0].Message.IsPersistent);
    }

    [Fact]
    public async Task Deliveries_reach_an_observer_created_on_another_silo()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var gateway = BrokerCluster.GrainFactoryOf(topology.ExchangeSilo);
        var first = RecordingConsumer.Create(gateway);
        var second = RecordingConsumer.Create(cluster.Client);
        await topology.QueueGrain(gateway).Consume(Registration("ch-1", "first", credit: 10), first.Reference);
        await topology.QueueGrain(cluster.Client).Consume(Registration("ch-2", "second", credit: 10), second.Reference);

        await topology.QueueGrain(gateway).Enqueue(TransientBatch("m1", "m2", "m3", "m4"));

        Assert.Equal(["m1", "m3"], BodiesOf(await first.WaitForDeliveriesAsync(2)));
        Assert.Equal(["m2", "m4"], BodiesOf(await second.WaitForDeliveriesAsync(2)));
    }

    [Fact]
    public async Task A_deleted_queue_tells_its_consumers_on_other_silos()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var consumer = RecordingConsumer.Create(BrokerCluster.GrainFactoryOf(topology.VirtualHostSilo));
        await topology.QueueGrain(cluster.Client).Consume(Registration("ch", "ctag", credit: 10), consumer.Reference);
        await topology.QueueGrain(cluster.Client).Enqueue(TransientBatch("m1"));
        await consumer.WaitForDeliveriesAsync(1);

        await topology.VirtualHostGrain(cluster.Client).DeleteQueue(SpreadTopology.Queue, ifUnused: false, ifEmpty: false, SpreadTopology.Connection);

        Assert.Equal(new ConsumerCancellation(SpreadTopology.Queue, "ctag", Delivered: 1), await consumer.WaitForCancellationAsync());
    }
}
