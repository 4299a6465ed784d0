using Orleans.Runtime;

namespace OrleansBroker.Grains.Nodes;

/// <summary>
/// Connection and channel ids say which gateway they belong to: "silo:ADDRESS|N" for a gateway hosted by a silo (N
/// counts its connections; a channel adds "/CHANNEL.K"). So a queue or the virtual host can tell, from an id alone,
/// that the node holding a consumer, an unacked delivery or an exclusive queue's connection has died, and requeue or
/// delete what it held, as RabbitMQ does when a channel's process goes.
/// </summary>
public static class GatewayIds
{
    private const string SiloPrefix = "silo:";

    /// <summary>The gateway id of the gateway a silo hosts (the silo's address changes with every start).</summary>
    public static string ForSilo(SiloAddress silo) => SiloPrefix + silo.ToParsableString();

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
