using Orleans.Runtime.Placement;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Grains.Queues.Placement;

/// <summary>
/// Activates a queue grain on its home node: the one the virtual host names while creating it, or, on any later
/// activation, the one its directory records. A queue whose home node is down cannot be activated: the caller gets
/// RabbitMQ's 404 for a classic queue on a down node. A queue the directory does not know (deleted, or recorded before
/// queues had a home) is activated here.
/// </summary>
public sealed class QueueHomePlacementDirector(ClusterNodes nodes, IGrainFactory grains) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()!;
        var (vhost, name) = GrainKeys.SplitQueue(key);
        var home = target.RequestContextData is { } data && data.TryGetValue(QueueHomePlacement.HomeNodeKey, out var hint) ? hint as string : null;
        home ??= await grains.GetGrain<IVirtualHostGrain>(vhost).GetQueueHome(name);
        if (home is null)
        {
            return context.LocalSilo;
        }

        return nodes.FindActive(home) ?? throw QueueHomeDown(home, name, vhost);
    }

    /// <summary>RabbitMQ's answer for a durable classic queue whose node is down.</summary>
    public static BrokerException QueueHomeDown(string node, string queue, string vhost) =>
        BrokerException.NotFound($"home node '{node}' of durable queue '{queue}' in vhost '{vhost}' is down or inaccessible");
}
