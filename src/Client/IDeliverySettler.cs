using OrleansBroker.Grains.Model;

namespace OrleansBroker.Client;

/// <summary>Whoever holds a delivery until it is settled: its consumer, or the session that fetched it with basic.get.</summary>
internal interface IDeliverySettler
{
    /// <summary>Tell the queue what became of the message; completes when the queue took it.</summary>
    Task SettleAsync(DeliveredMessage message, SettlementKind kind);
}
