using Microsoft.Extensions.Logging.Abstractions;
using OrleansBroker.Grains.Gateways;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Queues.Placement;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Client;

/// <summary>
/// An Orleans application's session with one virtual host of the broker: what an AMQP connection with a channel is to
/// an AMQP client. Through it the app declares exchanges and queues and binds them, publishes, fetches and consumes,
/// on the same exchanges and queues as AMQP clients and with the same outcomes.
/// Open one with <see cref="OpenAsync"/> on any <see cref="IGrainFactory"/>: an <c>IClusterClient</c> connected to the
/// broker's silos, or, for grains hosted in the broker's own silo, their <c>GrainFactory</c>.
/// Thread-safe. Disposing it stops its consumers (their unsettled messages go back to their queues), sends back what
/// it fetched and did not settle, and deletes the exclusive queues it declared, as closing an AMQP connection does.
/// Errors the broker reports (a queue that does not exist, an equivalence mismatch, an exclusive queue of another
/// session) are <see cref="Grains.Model.BrokerException"/>s with RabbitMQ's reply code and text; unlike on an AMQP
/// channel, they leave the session usable.
/// If the broker node of a co-hosted app's session dies, the broker releases what the session held, as for the node's
/// AMQP connections. A client app's session holds a lease it renews every 3 s (<see cref="GatewayLease"/>): if the app
/// dies, the broker releases what the session held once the lease runs out (about 12 s), as for a gateway-only node.
/// </summary>
public sealed partial class BrokerSession : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<QueueConsumer> _consumers = new();
    private readonly FetchedMessages _fetched;

    // A client app's session: its liveness (null for a co-hosted app's, whose node's membership speaks for it).
    private readonly GatewayLease? _lease;
    private int _consumersStarted;
    private bool _declaredExclusive;
    private bool _disposed;

    private BrokerSession(IGrainFactory grains, string virtualHost, GatewayNode node)
    {
        Grains = grains;
        VirtualHost = virtualHost;
        Node = node.Name;

        // Grains in the broker's silo go with its node, so their session is named after it, as the node's AMQP gateway
        // names its connections: if the node dies, queues elsewhere requeue what its consumers held and its exclusive
        // queues go. A client app lives apart from the node it reached and outlives it: it is a leased gateway of its own.
        var app = "orleans-app-" + Guid.NewGuid().ToString("N");
        if (grains is IClusterClient)
        {
            _lease = new GatewayLease(grains, GatewayIds.NewLeased(), NullLogger.Instance);
        }

        Id = $"{_lease?.GatewayId ?? node.GatewayId}|{app}";
        _fetched = new FetchedMessages(Id + "/get");
    }

    /// <summary>The virtual host this session works in.</summary>
    public string VirtualHost { get; }

    /// <summary>
    /// Names this session to the broker as a connection id names an AMQP connection (unique in the cluster): the
    /// exclusive queues it declares are its own, and its consumers' channel ids start with it.
    /// </summary>
    public string Id { get; }

    /// <summary>The broker node the session reached: queues it declares live there unless their arguments say otherwise (client-local).</summary>
    public string Node { get; }

    internal IGrainFactory Grains { get; }

    internal IVirtualHostGrain VirtualHostGrain => Grains.GetGrain<IVirtualHostGrain>(VirtualHost);

    /// <summary>
    /// Open a session with <paramref name="virtualHost"/>: 530 NOT_ALLOWED ("vhost ... not found") when the broker
    /// has no such virtual host.
    /// </summary>
    public static async Task<BrokerSession> OpenAsync(IGrainFactory grains, string virtualHost = "/")
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(virtualHost);
        var node = await grains.GetGrain<IAppGatewayGrain>(virtualHost).Open();
        var session = new BrokerSession(grains, virtualHost, node);
        if (session._lease is { } lease)
        {
            await lease.EnsureAsync(virtualHost);
        }

        return session;
    }

    /// <summary>End the session; see the class summary. Never throws: what a queue that is gone held is gone with it.</summary>
    public async ValueTask DisposeAsync()
    {
        QueueConsumer[] consumers;
        bool declaredExclusive;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            consumers = _consumers.ToArray();
            declaredExclusive = _declaredExclusive;
        }

        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }

        await _fetched.RequeueAllAsync();
        if (declaredExclusive)
        {
            await VirtualHostGrain.ConnectionClosed(Id).AsTask().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_lease is not null)
        {
            await _lease.DisposeAsync();
        }
    }

    /// <summary>A consumer stopped: the session no longer stops it.</summary>
    internal void Forget(QueueConsumer consumer)
    {
        lock (_gate)
        {
            _consumers.Remove(consumer);
        }
    }

    /// <summary>A call to a queue failed because its node is unreachable: RabbitMQ's 404 for a queue whose home node is down.</summary>
    internal async ValueTask ThrowIfQueueUnreachableAsync(Exception e, string queue)
    {
        if (Unreachable.Is(e) && await VirtualHostGrain.GetQueueHome(queue) is { } home)
        {
            throw QueueHomePlacementDirector.QueueHomeDown(home, queue, VirtualHost);
        }
    }

    private void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }
    }
}
