using OrleansBroker.Grains.Model;

namespace OrleansBroker.Gateway.Channels;

/// <summary>What a transactional channel has done since its last commit or rollback.</summary>
internal sealed class ChannelTransaction
{
    /// <summary>Routed publishes, enqueued on commit; unroutable mandatory ones are returned then.</summary>
    public List<(Message Message, string[] Queues, bool Mandatory)> Publishes { get; } = new();

    /// <summary>Acks, nacks and rejects, applied on commit and undone on rollback.</summary>
    public List<(SettlementKind Kind, List<UnackedDelivery> Deliveries)> Settlements { get; } = new();
}
