using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// The directory of one virtual host (key: the vhost name): which exchanges and queues exist, who
/// owns exclusive queues, which exchanges bind to what. Every topology change goes through it, so
/// declare / delete / bind are ordered; message traffic never does. Failures are thrown as
/// <see cref="BrokerException"/> with RabbitMQ's codes and texts.
/// <paramref name="connectionId"/> parameters identify the calling connection for exclusivity.
/// </summary>
[Alias("ob.IVirtualHostGrain")]
public interface IVirtualHostGrain : IGrainWithStringKey
{
    /// <summary>
    /// Activate the vhost at broker start: after a restart this recovers the durable exchanges,
    /// bindings and queues (with their messages) and drops what RabbitMQ drops on restart.
    /// </summary>
    [Alias("Start")]
    /// <param name="node">The node starting: its queues are activated (recovering their messages) and counted.</param>
    ValueTask<VirtualHostRecovery> Start(string node);

    /// <summary>Add a node's routing replica: it gets the whole routing now and every change from now on.</summary>
    [Alias("SubscribeRouting")]
    ValueTask<RoutingSnapshot> SubscribeRouting(IRoutingObserver replica);

    [Alias("UnsubscribeRouting")]
    ValueTask UnsubscribeRouting(IRoutingObserver replica);

    /// <summary>The version of the routing (replicas compare it with theirs to notice a missed change).</summary>
    [Alias("GetRoutingVersion")]
    ValueTask<RoutingVersion> GetRoutingVersion();

    [Alias("DeclareExchange")]
    ValueTask DeclareExchange(ExchangeDeclaration declaration, bool passive);

    [Alias("DeleteExchange")]
    ValueTask DeleteExchange(string name, bool ifUnused);

    [Alias("DeclareQueue")]
    /// <param name="clientNode">The node of the declaring connection's gateway; null for a gateway without grains.</param>
    ValueTask<QueueDeclareResult> DeclareQueue(QueueDeclaration declaration, bool passive, string connectionId, string? clientNode);

    /// <summary>The node a queue lives on; null when unknown. Answers while the directory is busy (placement asks it).</summary>
    [Alias("GetQueueHome"), AlwaysInterleave]
    ValueTask<string?> GetQueueHome(string name);

    [Alias("DeleteQueue")]
    ValueTask<uint> DeleteQueue(string name, bool ifUnused, bool ifEmpty, string connectionId);

    [Alias("PurgeQueue")]
    ValueTask<uint> PurgeQueue(string name, string connectionId);

    [Alias("Bind")]
    ValueTask Bind(Binding binding, string connectionId);

    [Alias("Unbind")]
    ValueTask Unbind(Binding binding, string connectionId);

    /// <summary>Check the queue exists and this connection may use it (consume, get); returns its grain key.</summary>
    [Alias("ResolveQueue")]
    ValueTask<string> ResolveQueue(string name, string connectionId);

    /// <summary>An auto-delete queue lost its last consumer: delete it (if it still has none).</summary>
    [Alias("QueueUnused")]
    ValueTask QueueUnused(string name);

    /// <summary>The connection is gone: delete the exclusive queues it owned.</summary>
    [Alias("ConnectionClosed")]
    ValueTask ConnectionClosed(string connectionId);

    /// <summary>
    /// A gateway without a silo is gone (its lease ran out, GatewayLeaseGrain): the exclusive queues its connections
    /// owned are deleted, and every queue releases its channels' consumers and unsettled deliveries.
    /// </summary>
    [Alias("GatewayGone")]
    ValueTask GatewayGone(string gatewayId);

    /// <summary>
    /// Add or replace (by name) a policy or operator policy of this vhost; it takes effect on the matching queues and
    /// exchanges, existing and new, before this completes. A policy RabbitMQ would refuse throws a
    /// <see cref="BrokerException"/> 406 whose message is <see cref="PolicyValidationResult.ErrorText"/>
    /// ("Validation failed\n\n-1 is not a valid message TTL\n"); classic-mirroring keys are refused so.
    /// </summary>
    [Alias("SetPolicy")]
    ValueTask SetPolicy(Policy policy, PolicyKind kind);

    /// <summary>Remove a policy; false when the vhost has none of that name (RabbitMQ: 404 / "Parameter does not exist").</summary>
    [Alias("ClearPolicy")]
    ValueTask<bool> ClearPolicy(string name, PolicyKind kind);

    /// <summary>The vhost's policies of <paramref name="kind"/>, in RabbitMQ's listing order (priority, then name).</summary>
    [Alias("GetPolicies")]
    ValueTask<Policy[]> GetPolicies(PolicyKind kind);

    /// <summary>
    /// The vhost is deleted (the user store asks): its queues with their messages and its exchanges go, every replica
    /// hears it, and the directory's state is cleared (a vhost made again under the name starts afresh).
    /// </summary>
    [Alias("Delete")]
    ValueTask Delete();

    /// <summary>Every exchange, queue and binding, for listings and definitions export. Answers while the directory is busy.</summary>
    [Alias("GetTopology"), AlwaysInterleave]
    ValueTask<VirtualHostTopology> GetTopology();
}
