using System.Collections.Concurrent;

namespace OrleansBroker.Grains.Routing;

/// <summary>The routing snapshots of all virtual hosts in this process.</summary>
public sealed class RoutingTables
{
    private readonly ConcurrentDictionary<string, VirtualHostRoutingTable> _tables = new(StringComparer.Ordinal);

    public VirtualHostRoutingTable For(string vhost) => _tables.GetOrAdd(vhost, static v => new VirtualHostRoutingTable(v));
}
