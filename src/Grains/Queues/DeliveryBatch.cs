namespace OrleansBroker.Grains.Queues;

/// <summary>
/// Deliveries from one queue to the consumers of one channel, in the order the queue dispatched them (round-robin
/// between the channel's consumers shows on the wire as it does in RabbitMQ): one observer call.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.DeliveryBatch")]
public sealed record DeliveryBatch(string Queue, Delivery[] Deliveries);
