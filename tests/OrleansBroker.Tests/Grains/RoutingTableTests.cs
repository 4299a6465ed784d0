using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// On one silo, the copy of a virtual host's routing that the silo's gateways publish through follows the topology as
/// the virtual host changes it: exchanges, queues and bindings are routable once the call that made them returns, and
/// gone once removed.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class RoutingTableTests(OneSiloCluster cluster)
{
    private const string Connection = "connection-1";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IVirtualHostGrain VirtualHost => cluster.Client.GetGrain<IVirtualHostGrain>(_vhost);

    private VirtualHostRoutingTable Table => BrokerCluster.RoutingReplicasOf(cluster.Silos[0]).Table(_vhost);

    [Fact]
    public async Task Routes_follow_declarations_bindings_and_deletions()
    {
        await BrokerCluster.RoutingReplicasOf(cluster.Silos[0]).EnsureSubscribedAsync(_vhost);
        await VirtualHost.DeclareExchange(new ExchangeDeclaration("x", "direct", false, false, false, FieldTable.Empty), passive: false);
        await DeclareQueueAsync("q1");
        await DeclareQueueAsync("q2");
        Assert.True(Table.TryGetExchange("x", out _));
        Assert.True(Table.QueueExists("q1"));
        Assert.Empty(Route("x", "k"));

        await VirtualHost.Bind(ToQueue("q1", "k"), Connection);
        await VirtualHost.Bind(ToQueue("q2", "k"), Connection);
        await VirtualHost.Bind(ToQueue("q2", "other"), Connection);
        Assert.Equal(["q1", "q2"], Route("x", "k").Order());
        Assert.Equal(["q2"], Route("x", "other"));

        await VirtualHost.Unbind(ToQueue("q1", "k"), Connection);
        Assert.Equal(["q2"], Route("x", "k"));

        await VirtualHost.DeleteQueue("q2", ifUnused: false, ifEmpty: false, Connection);
        Assert.False(Table.QueueExists("q2"));
        Assert.Empty(Route("x", "k"));

        await VirtualHost.DeleteExchange("x", ifUnused: false);
        Assert.False(Table.TryGetExchange("x", out _));
    }

    [Fact]
    public async Task The_default_exchange_routes_to_the_queue_named_by_the_routing_key()
    {
        await BrokerCluster.RoutingReplicasOf(cluster.Silos[0]).EnsureSubscribedAsync(_vhost);
        Assert.Empty(Route("", "q"));

        await DeclareQueueAsync("q");

        Assert.Equal(["q"], Route("", "q"));
    }

    private string[] Route(string exchange, string routingKey)
    {
        var result = new RoutingResult();
        Assert.True(Table.Route(exchange, Transient("m", routingKey), result), $"exchange '{exchange}' is not in the routing table");
        return result.Queues.ToArray();
    }

    private async Task DeclareQueueAsync(string name) =>
        await VirtualHost.DeclareQueue(new QueueDeclaration(name, false, false, false, FieldTable.Empty), passive: false, Connection, clientNode: null);

    private static Binding ToQueue(string queue, string routingKey) => new("x", BindingDestination.Queue(queue), routingKey, FieldTable.Empty);
}
