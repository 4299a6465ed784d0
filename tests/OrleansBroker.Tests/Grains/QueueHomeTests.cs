using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A queue lives on its home node, as RabbitMQ's classic queues do: by default the node of the connection that
/// declared it, or the node with the fewest queues when asked to balance. Its persistent messages are in that node's
/// message store, and a new activation of the queue comes back there and finds them.
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class QueueHomeTests(ThreeSiloCluster cluster)
{
    private const string Connection = "connection-1";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IVirtualHostGrain VirtualHost => cluster.Client.GetGrain<IVirtualHostGrain>(_vhost);

    [Fact]
    public async Task A_queue_lives_on_the_node_of_the_connection_that_declared_it()
    {
        foreach (var silo in cluster.Silos)
        {
            await VirtualHost.DeclareQueue(Queue($"from-{silo.Name}"), passive: false, Connection, clientNode: silo.Name);

            Assert.Same(silo, cluster.HostOf(QueueGrain($"from-{silo.Name}")));
            Assert.Equal(silo.Name, await VirtualHost.GetQueueHome($"from-{silo.Name}"));
        }
    }

    [Fact]
    public async Task Balanced_queues_go_to_the_node_with_the_fewest()
    {
        var balanced = Arguments.Of(("x-queue-master-locator", "min-masters")); // a classic queue takes no x-queue-leader-locator (406, as in RabbitMQ)

        foreach (var name in new[] { "b1", "b2", "b3" })
        {
            await VirtualHost.DeclareQueue(Queue(name, arguments: balanced), passive: false, Connection, clientNode: cluster.Silos[0].Name);
        }

        var homes = new[] { "b1", "b2", "b3" }.Select(name => cluster.HostOf(QueueGrain(name)).Name);
        Assert.Equal(cluster.Silos.Select(silo => silo.Name).Order(), homes.Order());
    }

    [Fact]
    public async Task A_durable_queue_activated_again_comes_back_home_with_its_messages()
    {
        var home = cluster.Silos[1];
        await VirtualHost.DeclareQueue(Queue("q", durable: true), passive: false, Connection, clientNode: home.Name);
        await QueueGrain("q").Enqueue(Batch(Persistent("p1"), Persistent("p2"), Transient("t1")));
        await cluster.FlushMessageStoresAsync();

        await cluster.Cluster.DeactivateAsync(QueueGrain("q"));

        // Called first from another node: placement still puts it home, where its store has the messages.
        var fromElsewhere = BrokerCluster.GrainFactoryOf(cluster.Silos[2]).GetGrain<IQueueGrain>(GrainKeys.Queue(_vhost, "q"));
        Assert.Equal(new QueueCounts(2, 0), await fromElsewhere.GetCounts());
        Assert.Same(home, cluster.HostOf(fromElsewhere));
        Assert.Equal("p1", BodyOf((await fromElsewhere.Get("ch", noAck: true)).Delivery!.Value));
    }

    private IQueueGrain QueueGrain(string name) => cluster.Client.GetGrain<IQueueGrain>(GrainKeys.Queue(_vhost, name));

    private static QueueDeclaration Queue(string name, bool durable = false, FieldTable? arguments = null) =>
        new(name, durable, Exclusive: false, AutoDelete: false, arguments ?? FieldTable.Empty);
}
