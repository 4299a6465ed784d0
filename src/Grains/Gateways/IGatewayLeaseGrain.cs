namespace OrleansBroker.Grains.Gateways;

/// <summary>
/// The leases of the gateways without a silo that use one virtual host (key: the vhost's name): gateway-only nodes and
/// Orleans client apps' sessions. A gateway renews its lease every few seconds (<see cref="GatewayLease"/>); one that
/// stops (its process was killed) is declared gone once its lease runs out, and the virtual host releases what its
/// connections held, as for the connections of a dead silo.
/// </summary>
[Alias("ob.IGatewayLeaseGrain")]
public interface IGatewayLeaseGrain : IGrainWithStringKey
{
    /// <summary>Take (or keep) a lease for this gateway, before its connections use the virtual host.</summary>
    [Alias("Begin")]
    ValueTask Begin(string gatewayId);

    /// <summary>Renew the lease; false when it had run out and what the gateway held has been released.</summary>
    [Alias("Renew")]
    ValueTask<bool> Renew(string gatewayId);

    /// <summary>The gateway stops cleanly (its connections closed, releasing what they held): its lease ends.</summary>
    [Alias("End")]
    ValueTask End(string gatewayId);
}
