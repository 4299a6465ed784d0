using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// What one channel sends one queue after a read: settlements of its deliveries (applied in order) and then credit
/// for its consumers of the queue. One grain call carries all of it.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.SettlementBatch")]
public sealed record SettlementBatch(string ChannelId, Settlement[] Settlements, CreditGrant[] Credits);
