namespace OrleansBroker.Grains.Routing;

/// <summary>
/// The changes one topology operation made, numbered: a replica applies update N+1 after N of the same
/// <see cref="Epoch"/> (one activation of the virtual host grain), and asks for a snapshot on a gap or a new epoch.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.RoutingUpdate")]
public sealed record RoutingUpdate(Guid Epoch, long Version, RoutingChange[] Changes);
