using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A queue sends a consumer no more than its channel's credit allows: a grant lets it have Received + Credit
/// deliveries in all, and a grant older than one applied (by Sequence) is ignored. What the queue did not send stays
/// ready, so the ready count proves nothing more went out.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueueCreditTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task A_consumer_gets_exactly_its_credit_until_granted_more()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 3), consumer.Reference);

        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"));

        Assert.Equal(["m1", "m2", "m3"], BodiesOf(await consumer.WaitForDeliveriesAsync(3)));
        Assert.Equal(7u, (await queue.Grain.GetCounts()).MessageCount);
        Assert.Equal(3, consumer.Deliveries.Count);

        await queue.Grain.Settle(Grant("ch", "ctag", sequence: 1, received: 3, credit: 2));

        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], BodiesOf(await consumer.WaitForDeliveriesAsync(5)));
        Assert.Equal(5u, (await queue.Grain.GetCounts()).MessageCount);
    }

    [Fact]
    public async Task A_grant_counts_from_what_the_channel_had_received_not_from_what_was_sent()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 3), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"));
        await consumer.WaitForDeliveriesAsync(3);

        // The channel had seen one delivery when it granted 3 more: 4 in all, so one more is sent, not three.
        await queue.Grain.Settle(Grant("ch", "ctag", sequence: 1, received: 1, credit: 3));

        Assert.Equal(["m1", "m2", "m3", "m4"], BodiesOf(await consumer.WaitForDeliveriesAsync(4)));
        Assert.Equal(4u, (await queue.Grain.GetCounts()).MessageCount);
    }

    [Fact]
    public async Task A_grant_older_than_the_last_applied_is_ignored()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 1), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4", "m5"));
        await consumer.WaitForDeliveriesAsync(1);
        await queue.Grain.Settle(Grant("ch", "ctag", sequence: 2, received: 1, credit: 1));
        await consumer.WaitForDeliveriesAsync(2);

        await queue.Grain.Settle(Grant("ch", "ctag", sequence: 1, received: 2, credit: 10));
        await queue.Grain.Settle(Grant("ch", "ctag", sequence: 2, received: 2, credit: 10));

        Assert.Equal(3u, (await queue.Grain.GetCounts()).MessageCount);

        await queue.Grain.Settle(Grant("ch", "ctag", sequence: 3, received: 2, credit: 1));

        Assert.Equal(["m1", "m2", "m3"], BodiesOf(await consumer.WaitForDeliveriesAsync(3)));
        Assert.Equal(2u, (await queue.Grain.GetCounts()).MessageCount);
    }

    [Fact]
    public async Task A_grant_for_another_channel_s_consumer_of_the_same_tag_does_not_apply()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch-1", "ctag", credit: 1), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3"));
        await consumer.WaitForDeliveriesAsync(1);

        await queue.Grain.Settle(Grant("ch-2", "ctag", sequence: 1, received: 1, credit: 10));

        Assert.Equal(2u, (await queue.Grain.GetCounts()).MessageCount);
    }
}
