using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A durable queue's persistent messages outlive its activation: deactivated (as a node's shutdown does to every
/// grain), the queue's next activation recovers them from the message store, those delivered before marked
/// redelivered. Transient messages, and every message of a transient queue, live only in the activation.
/// On one silo: a queue's messages are in its node's store, so the new activation must be on the same node.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueuePersistenceTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task Persistent_messages_of_a_durable_queue_survive_deactivation()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains, durable: true);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Enqueue(Batch(Persistent("p1"), Transient("t1"), Persistent("p2"), Persistent("p3")));
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 2), consumer.Reference);
        await consumer.WaitForDeliveriesAsync(2);

        await RestartAsync(queue);

        Assert.Equal(new QueueCounts(3, 0), await queue.Grain.GetCounts());
        var recovered = await GetAllAsync(queue);
        Assert.Equal(["p1", "p2", "p3"], BodiesOf(recovered));
        Assert.Equal([true, false, false], recovered.Select(d => d.Redelivered));
        Assert.All(recovered, delivery => Assert.True(delivery.Message.IsPersistent));
    }

    [Fact]
    public async Task Acked_and_purged_messages_do_not_come_back()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains, durable: true);
        await queue.Grain.Enqueue(Batch(Persistent("p1"), Persistent("p2")));
        var got = (await queue.Grain.Get("ch", noAck: false)).Delivery!.Value;
        await queue.Grain.Settle(Settle("ch", SettlementKind.Ack, got));
        await RestartAsync(queue);
        Assert.Equal(["p2"], BodiesOf(await GetAllAsync(queue, noAck: false)));

        await queue.Grain.Enqueue(Batch(Persistent("p3")));
        Assert.Equal(1u, await queue.Grain.Purge());
        await RestartAsync(queue);

        // p2 was got but not settled before this restart: it comes back, redelivered; p3 was purged.
        var left = await GetAllAsync(queue);
        Assert.Equal(["p2"], BodiesOf(left));
        Assert.True(left[0].Redelivered);
    }

    [Fact]
    public async Task A_transient_queue_keeps_no_message_across_deactivation()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains, durable: false);
        await queue.Grain.Enqueue(Batch(Persistent("p1"), Transient("t1")));

        await RestartAsync(queue);

        Assert.Equal(new QueueCounts(0, 0), await queue.Grain.GetCounts());
    }

    /// <summary>
    /// Deactivate the queue grain and let its next call activate it anew. Delivered marks and removals are written
    /// behind; a stopping node flushes them, so the test does too before the queue recovers.
    /// </summary>
    private async Task RestartAsync(DeclaredQueue queue)
    {
        await cluster.FlushMessageStoresAsync();
        await cluster.Cluster.DeactivateAsync(queue.Grain);
        Assert.False(cluster.Cluster.TryGetGrainContext(queue.Grain.GetGrainId(), out _), "the queue grain is still active");
    }

    private static async Task<Delivery[]> GetAllAsync(DeclaredQueue queue, bool noAck = true)
    {
        var deliveries = new List<Delivery>();
        while ((await queue.Grain.Get("ch", noAck)).Delivery is { } delivery)
        {
            deliveries.Add(delivery);
        }

        return deliveries.ToArray();
    }
}
