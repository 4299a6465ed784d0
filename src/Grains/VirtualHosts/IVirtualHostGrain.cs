using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// The directory of one virtual host (key: the vhost name): which exchanges and queues exist, who
/// owns exclusive queues, which exchanges bind to what. Every topology change goes through it, so
/// declare / delete / bind are ordered; message traffic never does. Failures are thrown as
/// <see cref="BrokerException"/> with RabbitMQ's codes and texts.
/// <paramref name="connectionId"/> parameters identify the calling connection for exclusivity.
/// </summary>
public interface IVirtualHostGrain : IGrainWithStringKey
{
    /// <summary>
    /// Activate the vhost at broker start: after a restart this recovers the durable exchanges,
    /// bindings and queues (with their messages) and drops what RabbitMQ drops on restart.
    /// </summary>
    ValueTask<VirtualHostRecovery> Start();

    ValueTask DeclareExchange(ExchangeDeclaration declaration, bool passive);

    ValueTask DeleteExchange(string name, bool ifUnused);

    ValueTask<QueueDeclareResult> DeclareQueue(QueueDeclaration declaration, bool passive, string connectionId);

    ValueTask<uint> DeleteQueue(string name, bool ifUnused, bool ifEmpty, string connectionId);

    ValueTask<uint> PurgeQueue(string name, string connectionId);

    ValueTask Bind(Binding binding, string connectionId);

    ValueTask Unbind(Binding binding, string connectionId);

    /// <summary>Check the queue exists and this connection may use it (consume, get); returns its grain key.</summary>
    ValueTask<string> ResolveQueue(string name, string connectionId);

    /// <summary>An auto-delete queue lost its last consumer: delete it (if it still has none).</summary>
    ValueTask QueueUnused(string name);

    /// <summary>The connection is gone: delete the exclusive queues it owned.</summary>
    ValueTask ConnectionClosed(string connectionId);
}
