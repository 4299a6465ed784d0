namespace OrleansBroker.Grains.Routing;

/// <summary>Where a virtual host's routing stands: the activation's epoch and the last update's number.</summary>
[GenerateSerializer, Immutable, Alias("ob.RoutingVersion")]
public readonly record struct RoutingVersion(Guid Epoch, long Version);
