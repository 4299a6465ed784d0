using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A grain moved to another silo (deactivated, then activated there) finds its grain state, which every silo reads
/// from the one shared store; a queue's persistent messages, though, are in its node's message store and do not
/// follow it (DESIGN.md: as RabbitMQ's classic queues, a queue's messages live on its home node).
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class GrainStateAcrossSilosTests(ThreeSiloCluster cluster)
{
    [Fact]
    public async Task An_exchange_activated_on_another_silo_has_its_bindings()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var exchange = topology.ExchangeGrain(cluster.Client);

        await cluster.MoveAsync(exchange, topology.QueueSilo, async moved => await moved.GetBindingCount());

        Assert.Equal(
            [new Binding(SpreadTopology.Exchange, BindingDestination.Queue(SpreadTopology.Queue), SpreadTopology.RoutingKey, FieldTable.Empty)],
            await exchange.GetBindings());
    }

    [Fact]
    public async Task A_durable_queue_s_persistent_messages_stay_with_the_silo_that_stored_them()
    {
        var vhost = BrokerCluster.NewVirtualHost();
        var home = cluster.Silos[2];
        var queue = cluster.Client.GetGrain<IQueueGrain>(GrainKeys.Queue(vhost, "q"));
        await cluster.ActivateOnAsync(home, queue, async () => await queue.GetCounts());
        await cluster.Client.GetGrain<IVirtualHostGrain>(vhost)
            .DeclareQueue(new QueueDeclaration("q", Durable: true, false, false, FieldTable.Empty), passive: false, "connection-1");
        await queue.Enqueue(Batch(Persistent("p1"), Persistent("p2")));
        await cluster.FlushMessageStoresAsync();

        // Elsewhere the queue has its declaration (a get is not refused 404) but none of its messages.
        await cluster.MoveAsync(queue, cluster.Silos[0], async moved => await moved.GetCounts());
        Assert.Equal(new QueueCounts(0, 0), await queue.GetCounts());
        Assert.Null((await queue.Get("ch", noAck: true)).Delivery);

        await cluster.MoveAsync(queue, home, async moved => await moved.GetCounts());
        Assert.Equal(new QueueCounts(2, 0), await queue.GetCounts());
    }
}
