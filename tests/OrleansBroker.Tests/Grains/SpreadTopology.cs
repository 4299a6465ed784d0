using Orleans.TestingHost;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A virtual host whose grains sit on three different silos: the virtual host grain on the first, exchange "x" on the
/// second, queue "q" (bound to "x" by key "k") on the third, so every call between them crosses silos. The queue lives
/// on the node of the connection that declared it (client-local, the default); the other two are activated where they
/// should be before the virtual host first calls them.
/// </summary>
public sealed class SpreadTopology
{
    public const string Exchange = "x";
    public const string Queue = "q";
    public const string RoutingKey = "k";
    public const string Connection = "connection-1";

    private SpreadTopology(string virtualHost, InProcessSiloHandle virtualHostSilo, InProcessSiloHandle exchangeSilo, InProcessSiloHandle queueSilo)
    {
        VirtualHost = virtualHost;
        VirtualHostSilo = virtualHostSilo;
        ExchangeSilo = exchangeSilo;
        QueueSilo = queueSilo;
    }

    public string VirtualHost { get; }

    public InProcessSiloHandle VirtualHostSilo { get; }

    public InProcessSiloHandle ExchangeSilo { get; }

    public InProcessSiloHandle QueueSilo { get; }

    public static async Task<SpreadTopology> DeclareAsync(ThreeSiloCluster cluster)
    {
        var (virtualHostSilo, exchangeSilo, queueSilo) = (cluster.Silos[0], cluster.Silos[1], cluster.Silos[2]);
        var topology = new SpreadTopology(BrokerCluster.NewVirtualHost(), virtualHostSilo, exchangeSilo, queueSilo);
        var grains = cluster.Client;

        // Calls that change nothing, made only to activate each grain where it belongs.
        var exchange = topology.ExchangeGrain(grains);
        await cluster.ActivateOnAsync(exchangeSilo, exchange, async () => await exchange.GetBindings());
        var virtualHost = topology.VirtualHostGrain(grains);
        await cluster.ActivateOnAsync(virtualHostSilo, virtualHost, async () => await virtualHost.GetRoutingVersion());

        await virtualHost.DeclareExchange(new ExchangeDeclaration(Exchange, "direct", false, false, false, FieldTable.Empty), passive: false);
        await virtualHost.DeclareQueue(new QueueDeclaration(Queue, false, false, false, FieldTable.Empty), passive: false, Connection, clientNode: queueSilo.Name);
        await virtualHost.Bind(new Binding(Exchange, BindingDestination.Queue(Queue), RoutingKey, FieldTable.Empty), Connection);
        if (cluster.HostOf(topology.QueueGrain(grains)) != queueSilo)
        {
            throw new InvalidOperationException($"Queue '{Queue}' was declared from node '{queueSilo.Name}' but is not there.");
        }

        return topology;
    }

    public IVirtualHostGrain VirtualHostGrain(IGrainFactory grains) => grains.GetGrain<IVirtualHostGrain>(VirtualHost);

    public IExchangeGrain ExchangeGrain(IGrainFactory grains) => grains.GetGrain<IExchangeGrain>(GrainKeys.Exchange(VirtualHost, Exchange));

    public IQueueGrain QueueGrain(IGrainFactory grains) => grains.GetGrain<IQueueGrain>(GrainKeys.Queue(VirtualHost, Queue));
}
