using Orleans.Runtime;

namespace OrleansBroker.Grains.Nodes;

/// <summary>
/// Connection and channel ids say which gateway they belong to: "silo:ADDRESS|N" for a gateway hosted by a silo (N
/// counts its connections; a channel adds "/CHANNEL.K"). So a queue or the virtual host can tell, from an id alone,
/// that the node holding a consumer, an unacked delivery or an exclusive queue's connection has died, and requeue or
/// delete what it held, as RabbitMQ does when a channel's process goes.
/// A gateway without a silo (a gateway-only node, an Orleans client app's session) has no membership entry to watch:
/// its id is "lease:RANDOM", and it holds a lease it renews with each virtual host it uses (GatewayLeaseGrain);
/// when the lease runs out, the virtual host releases what its connections held.
/// </summary>
public static class GatewayIds
{
    private const string SiloPrefix = "silo:";
    private const string LeasePrefix = "lease:";

    /// <summary>The gateway id of the gateway a silo hosts (the silo's address changes with every start).</summary>
    public static string ForSilo(SiloAddress silo) => SiloPrefix + silo.ToParsableString();

    /// <summary>A new id for a gateway without a silo, unique in the cluster: its liveness is a lease.</summary>
    public static string NewLeased() => LeasePrefix + Guid.NewGuid().ToString("N");

    /// <summary>Whether this gateway id is a leased one (see <see cref="NewLeased"/>).</summary>
    public static bool IsLeased(string gatewayId) => gatewayId.StartsWith(LeasePrefix, StringComparison.Ordinal);

    /// <summary>Whether a connection or channel id belongs to the gateway with this id.</summary>
    public static bool BelongsTo(string id, string gatewayId) =>
        id.Length > gatewayId.Length && id[gatewayId.Length] == '|' && id.StartsWith(gatewayId, StringComparison.Ordinal);

    /// <summary>The silo whose gateway a connection or channel id belongs to; false for a gateway without a silo.</summary>
    public static bool TryGetSilo(string id, out SiloAddress silo)
    {
        silo = null!;
        if (!id.StartsWith(SiloPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var end = id.IndexOf('|', StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        silo = SiloAddress.FromParsableString(id[SiloPrefix.Length..end]);
        return true;
    }
}
