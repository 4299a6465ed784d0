namespace OrleansBroker.Grains.Gateways;

/// <summary>
/// The gateways holding a lease on a virtual host. Persisted so that a lease grain activated again elsewhere (its node
/// died) still releases a gateway that died meanwhile: each known gateway gets a fresh lease term on activation.
/// </summary>
public sealed class GatewayLeaseState
{
    public List<string> Gateways { get; set; } = new();
}
