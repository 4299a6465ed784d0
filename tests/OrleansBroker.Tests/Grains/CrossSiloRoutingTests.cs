using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// Routing is cluster-wide: every silo's gateways route by their own copy of the virtual host's routing, which the
/// virtual host grain (on another silo) gives a snapshot when it subscribes, then each change before the change's call
/// returns. So once a declare, bind or delete is done, every silo routes the same.
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class CrossSiloRoutingTests(ThreeSiloCluster cluster)
{
    [Fact]
    public async Task A_silo_that_subscribes_gets_the_whole_routing()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);

        foreach (var silo in cluster.Silos)
        {
            await BrokerCluster.RoutingReplicasOf(silo).EnsureSubscribedAsync(topology.VirtualHost);
        }

        AssertEverySiloRoutes(topology, SpreadTopology.Exchange, SpreadTopology.RoutingKey, [SpreadTopology.Queue]);
        AssertEverySiloRoutes(topology, "", SpreadTopology.Queue, [SpreadTopology.Queue]);
    }

    [Fact]
    public async Task Every_silo_routes_by_each_change_once_its_call_returns()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        foreach (var silo in cluster.Silos)
        {
            await BrokerCluster.RoutingReplicasOf(silo).EnsureSubscribedAsync(topology.VirtualHost);
        }

        var virtualHost = topology.VirtualHostGrain(BrokerCluster.GrainFactoryOf(topology.ExchangeSilo));
        await virtualHost.DeclareQueue(new QueueDeclaration("q2", false, false, false, FieldTable.Empty), passive: false, SpreadTopology.Connection, clientNode: topology.ExchangeSilo.Name);
        await virtualHost.Bind(new Binding(SpreadTopology.Exchange, BindingDestination.Queue("q2"), SpreadTopology.RoutingKey, FieldTable.Empty), SpreadTopology.Connection);
        AssertEverySiloRoutes(topology, SpreadTopology.Exchange, SpreadTopology.RoutingKey, [SpreadTopology.Queue, "q2"]);

        await virtualHost.Unbind(new Binding(SpreadTopology.Exchange, BindingDestination.Queue(SpreadTopology.Queue), SpreadTopology.RoutingKey, FieldTable.Empty), SpreadTopology.Connection);
        AssertEverySiloRoutes(topology, SpreadTopology.Exchange, SpreadTopology.RoutingKey, ["q2"]);

        await virtualHost.DeleteQueue("q2", ifUnused: false, ifEmpty: false, SpreadTopology.Connection);
        AssertEverySiloRoutes(topology, SpreadTopology.Exchange, SpreadTopology.RoutingKey, []);
        AssertEverySiloRoutes(topology, "", "q2", []);

        await virtualHost.DeleteExchange(SpreadTopology.Exchange, ifUnused: false);
        Assert.All(cluster.Silos, silo =>
            Assert.False(BrokerCluster.RoutingReplicasOf(silo).Table(topology.VirtualHost).TryGetExchange(SpreadTopology.Exchange, out _)));
    }

    private void AssertEverySiloRoutes(SpreadTopology topology, string exchange, string routingKey, string[] queues)
    {
        foreach (var silo in cluster.Silos)
        {
            var result = new RoutingResult();
            Assert.True(BrokerCluster.RoutingReplicasOf(silo).Table(topology.VirtualHost).Route(exchange, Transient("m", routingKey), result), $"no exchange '{exchange}' on {silo.Name}");
            Assert.Equal(queues.Order(), result.Queues.Order());
        }
    }
}
