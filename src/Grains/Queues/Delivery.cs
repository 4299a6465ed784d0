using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// One message handed from a queue to a consumer (named by its tag; empty for basic.get). <see cref="MessageId"/> is
/// the queue's own id for the message, which settles it (ack, reject, requeue) later.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.Delivery")]
public readonly record struct Delivery(string ConsumerTag, ulong MessageId, Message Message, bool Redelivered);
