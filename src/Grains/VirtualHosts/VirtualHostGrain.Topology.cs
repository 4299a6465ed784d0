using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>The whole directory in one answer, for the management API's listings and definitions export.</summary>
public sealed partial class VirtualHostGrain
{
    public ValueTask<VirtualHostTopology> GetTopology()
    {
        var exchanges = Exchanges.Values.ToArray();
        var queues = Queues.Values
            .Select(q => new QueueListing(q.Declaration, q.ExclusiveOwner, q.HomeNode, _downQueues.Contains(q.Declaration.Name)))
            .ToArray();
        var bindings = _bindings.Values.SelectMany(b => b).ToArray();
        return ValueTask.FromResult(new VirtualHostTopology(exchanges, queues, bindings));
    }
}
