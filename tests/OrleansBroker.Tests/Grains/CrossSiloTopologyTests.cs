using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// With the virtual host, exchange and queue grains on three silos, each silo's grain factory and the cluster client
/// reach all of them and see the same topology.
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class CrossSiloTopologyTests(ThreeSiloCluster cluster)
{
    private IEnumerable<IGrainFactory> EveryCaller => cluster.Silos.Select(BrokerCluster.GrainFactoryOf).Append(cluster.Client);

    [Fact]
    public async Task The_grains_of_one_virtual_host_are_on_three_silos()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);

        var hosts = new[]
        {
            cluster.HostOf(topology.VirtualHostGrain(cluster.Client)),
            cluster.HostOf(topology.ExchangeGrain(cluster.Client)),
            cluster.HostOf(topology.QueueGrain(cluster.Client)),
        };

        Assert.Equal(3, hosts.Select(host => host.SiloAddress).Distinct().Count());
    }

    [Fact]
    public async Task Every_silo_and_the_client_see_the_same_topology()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        await topology.QueueGrain(cluster.Client).Enqueue(TransientBatch("m1", "m2"));

        foreach (var grains in EveryCaller)
        {
            var declared = await topology.VirtualHostGrain(grains)
                .DeclareQueue(new QueueDeclaration(SpreadTopology.Queue, false, false, false, FieldTable.Empty), passive: true, SpreadTopology.Connection, clientNode: null);
            Assert.Equal(new QueueDeclareResult(SpreadTopology.Queue, 2, 0), declared);
            Assert.Equal(
                [new Binding(SpreadTopology.Exchange, BindingDestination.Queue(SpreadTopology.Queue), SpreadTopology.RoutingKey, FieldTable.Empty)],
                await topology.ExchangeGrain(grains).GetBindings());
        }
    }

    [Fact]
    public async Task Calls_from_each_silo_and_the_client_act_on_the_one_queue()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var callers = EveryCaller.ToArray();

        for (var i = 0; i < callers.Length; i++)
        {
            await topology.QueueGrain(callers[i]).Enqueue(TransientBatch($"from-{i}"));
        }

        var got = new List<string>();
        foreach (var grains in callers)
        {
            got.Add(BodyOf((await topology.QueueGrain(grains).Get("ch", noAck: true)).Delivery!.Value));
        }

        Assert.Equal(["from-0", "from-1", "from-2", "from-3"], got);
    }

    [Fact]
    public async Task Deleting_the_queue_through_the_virtual_host_removes_its_binding_on_the_exchange_s_silo()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);

        await topology.VirtualHostGrain(BrokerCluster.GrainFactoryOf(topology.QueueSilo))
            .DeleteQueue(SpreadTopology.Queue, ifUnused: false, ifEmpty: false, SpreadTopology.Connection);

        Assert.Empty(await topology.ExchangeGrain(cluster.Client).GetBindings());
        Assert.Empty(await topology.ExchangeGrain(BrokerCluster.GrainFactoryOf(topology.VirtualHostSilo)).GetBindings());
    }
}
