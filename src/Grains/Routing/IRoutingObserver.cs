namespace OrleansBroker.Grains.Routing;

/// <summary>
/// A node's copy of a virtual host's routing (every gateway keeps one, and publishes route against it without a
/// grain call). The virtual host awaits every copy's <see cref="Apply"/> before a topology change's -ok goes out, so
/// a binding made through one node routes through every node once the client has heard of it.
/// </summary>
[Alias("ob.IRoutingObserver")]
public interface IRoutingObserver : IGrainObserver
{
    [Alias("Apply")]
    Task Apply(RoutingUpdate update);
}
