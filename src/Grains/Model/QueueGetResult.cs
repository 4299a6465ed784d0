using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Grains.Model;

/// <summary>The reply to basic.get: a delivery and the ready count left behind it, or nothing.</summary>
[GenerateSerializer, Immutable, Alias("ob.QueueGetResult")]
public readonly record struct QueueGetResult(Delivery? Delivery, uint MessageCount);
