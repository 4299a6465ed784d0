using System.Collections.Concurrent;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains.Gateways;

namespace OrleansBroker.Gateway.Connections;

/// <summary>
/// The live connections of this gateway. One timer ticks them all once a second (heartbeats,
/// handshake and closing timeouts) instead of a timer per connection; shutdown closes them all.
/// </summary>
public sealed class ConnectionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, AmqpConnection> _connections = new(StringComparer.Ordinal);
    private readonly Timer _ticker;
    private readonly string _gatewayId;
    private long _nextId;
    private volatile bool _shuttingDown;

    public ConnectionRegistry(RoutingReplicas routing, GatewayLease lease)
    {
        _gatewayId = lease.GatewayId;
        routing.QueueWentDown += CancelConsumersOfDownQueue;
        lease.Lost += CloseConnectionsOfLostLease;
        _ticker = new Timer(static state => ((ConnectionRegistry)state!).Tick(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public int Count => _connections.Count;

    /// <summary>Close every connection with 320 CONNECTION_FORCED and wait (bounded) for them to go.</summary>
    public async Task CloseAllAsync(TimeSpan grace)
    {
        // Set before the sweep: a connection that registers after it is closed by Add itself.
        _shuttingDown = true;
        foreach (var connection in _connections.Values)
        {
            connection.CloseForShutdown();
        }

        var deadline = DateTime.UtcNow + grace;
        while (!_connections.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }
    }

    public void Dispose() => _ticker.Dispose();

    /// <summary>
    /// A connection id unique in the cluster: exclusive queues and consumers are owned by it on every node, so the
    /// counter is prefixed with the gateway's id (see GatewayIds).
    /// </summary>
    internal string NextId() => $"{_gatewayId}|{Interlocked.Increment(ref _nextId)}";

    internal void Add(AmqpConnection connection)
    {
        _connections[connection.Id] = connection;
        if (_shuttingDown)
        {
            connection.CloseForShutdown();
        }
    }

    /// <summary>The live connections at this moment (for listings).</summary>
    internal ICollection<AmqpConnection> Connections => _connections.Values;

    internal bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AmqpConnection? connection) => _connections.TryGetValue(id, out connection);

    internal void Remove(AmqpConnection connection) => _connections.TryRemove(connection.Id, out _);

    /// <summary>The vhost was deleted: its connections here close with 320, as RabbitMQ's do when the vhost goes down.</summary>
    public void CloseConnectionsOf(string vhost)
    {
        foreach (var connection in _connections.Values)
        {
            if (string.Equals(connection.VirtualHost, vhost, StringComparison.Ordinal))
            {
                connection.CloseForced($"CONNECTION_FORCED - vhost '{vhost}' is down");
            }
        }
    }

    private void CancelConsumersOfDownQueue(string vhost, string queue)
    {
        foreach (var connection in _connections.Values)
        {
            if (string.Equals(connection.VirtualHost, vhost, StringComparison.Ordinal))
            {
                connection.CancelConsumersOf(queue);
            }
        }
    }

    // What these connections held in the vhost was released when the lease ran out: their clients must reconnect.
    private void CloseConnectionsOfLostLease(string vhost)
    {
        foreach (var connection in _connections.Values)
        {
            if (string.Equals(connection.VirtualHost, vhost, StringComparison.Ordinal))
            {
                connection.FailConnection(ReplyCode.ConnectionForced, "CONNECTION_FORCED - broker forced connection closure with reason 'gateway lease expired'", 0);
            }
        }
    }

    private void Tick()
    {
        var now = Environment.TickCount64;
        foreach (var connection in _connections.Values)
        {
            connection.OnTick(now);
        }
    }
}
