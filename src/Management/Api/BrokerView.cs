using OrleansBroker.Client;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Management.Access;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Management.Api;

/// <summary>
/// The whole cluster as the API lists it, from any node: each virtual host's directory in one call, every queue's
/// depth with all calls in flight at once, and every node's connections from its node grain, nodes asked in parallel.
/// </summary>
public sealed class BrokerView(IGrainFactory grains, ClusterNodes nodes, ManagementAccess access)
{
    public IGrainFactory Grains => grains;

    public ClusterNodes Nodes => nodes;

    public ManagementAccess Access => access;

    /// <summary>
    /// The vhosts a path names for this user: one (404 when it does not exist, 401 when the user may not see it) or,
    /// for null, every one it may see.
    /// </summary>
    public async Task<IReadOnlyList<string>> VirtualHostsAsync(string? vhost, ManagementUser user)
    {
        var visible = await access.VisibleVirtualHostsAsync(user);
        if (vhost is null)
        {
            return visible;
        }

        if (visible.Contains(vhost))
        {
            return [vhost];
        }

        throw (await access.VirtualHostsAsync()).Contains(vhost)
            ? ApiException.NotAuthorised("User not authorised to access virtual host")
            : ApiException.NotFound();
    }

    public async Task<IReadOnlyList<(string VirtualHost, VirtualHostTopology Topology)>> TopologiesAsync(string? vhost, ManagementUser user)
    {
        var names = await VirtualHostsAsync(vhost, user);
        var topologies = await Task.WhenAll(names.Select(name => grains.GetGrain<IVirtualHostGrain>(name).GetTopology().AsTask()));
        return names.Select((name, i) => (name, topologies[i])).ToList();
    }

    /// <summary>Each queue's listing with its info; info is null for a queue whose node is down or that does not answer.</summary>
    public async Task<IReadOnlyList<(string VirtualHost, QueueListing Listing, QueueInfo? Info)>> QueuesAsync(string? vhost, ManagementUser user)
    {
        var topologies = await TopologiesAsync(vhost, user);
        var queues = topologies.SelectMany(t => t.Topology.Queues.Select(q => (t.VirtualHost, Listing: q))).ToList();
        var infos = await Task.WhenAll(queues.Select(q => InfoAsync(q.VirtualHost, q.Listing)));
        return queues.Select((q, i) => (q.VirtualHost, q.Listing, infos[i])).ToList();
    }

    public async Task<(QueueListing Listing, QueueInfo? Info)> QueueAsync(string vhost, string name, ManagementUser user)
    {
        await VirtualHostsAsync(vhost, user);
        var topology = await grains.GetGrain<IVirtualHostGrain>(vhost).GetTopology();
        var listing = topology.Queues.FirstOrDefault(q => q.Declaration.Name == name) ?? throw ApiException.NotFound();
        return (listing, await InfoAsync(vhost, listing));
    }

    public async Task<IReadOnlyList<NodeReport>> NodeReportsAsync()
    {
        var names = nodes.Clustered ? nodes.ActiveNames() : [nodes.LocalName];
        var reports = await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                return await grains.GetGrain<INodeGrain>(name).GetReport();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A node that went down between membership's answer and the call: listed by the others without it.
                return null;
            }
        }));
        return reports.OfType<NodeReport>().ToList();
    }

    /// <summary>A session to do topology work and publish through, as an Orleans app would.</summary>
    public async Task<BrokerSession> OpenSessionAsync(string vhost, ManagementUser user)
    {
        await VirtualHostsAsync(vhost, user);
        return await BrokerSession.OpenAsync(grains, vhost);
    }

    private async Task<QueueInfo?> InfoAsync(string vhost, QueueListing listing)
    {
        if (listing.Down)
        {
            return null;
        }

        try
        {
            return await grains.GetGrain<IQueueGrain>(GrainKeys.Queue(vhost, listing.Declaration.Name)).GetInfo();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }
}
