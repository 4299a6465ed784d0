namespace OrleansBroker.Grains.Model;

/// <summary>The reply to basic.get: a delivery and the ready count left behind it, or nothing.</summary>
public readonly record struct QueueGetResult(QueueDelivery? Delivery, uint MessageCount);
