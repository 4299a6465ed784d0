using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains.Gateways;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Queues;
using Orleans;

namespace OrleansBroker.Gateway;

/// <summary>What every connection of the gateway shares: the grains, the routing snapshots, settings, users.</summary>
public sealed class GatewayServices(
    IGrainFactory grains,
    RoutingReplicas routing,
    LocalChannels localChannels,
    GatewayLease lease,
    IOptions<GatewayOptions> options,
    IUserAuthenticator authenticator,
    ILoggerFactory loggerFactory,
    ClusterNodes? nodes = null)
{
    public IGrainFactory Grains { get; } = grains;

    /// <summary>This node's copies of the virtual hosts' routing.</summary>
    public RoutingReplicas Routing { get; } = routing;

    /// <summary>The broker's nodes as this one's membership sees them; null on a gateway-only node (no silo).</summary>
    public ClusterNodes? Nodes { get; } = nodes;

    /// <summary>This gateway's lease on the virtual hosts it uses, when it has no silo.</summary>
    public GatewayLease Lease { get; } = lease;

    /// <summary>This process's channels, which queues here deliver to directly.</summary>
    public LocalChannels LocalChannels { get; } = localChannels;

    /// <summary>This process's channels consuming amq.rabbitmq.reply-to, by their reply names' keys.</summary>
    public DirectReplyTo.DirectReplyConsumers DirectReplies { get; } = new();

    public GatewayOptions Options { get; } = options.Value;

    public IUserAuthenticator Authenticator { get; } = authenticator;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("OrleansBroker.Gateway");
}
