namespace OrleansBroker.Grains.Model;

/// <summary>
/// One message handed from a queue to a consumer or to basic.get. <see cref="MessageId"/> is the
/// queue's own id for the message, which settles it (ack, reject, requeue) later.
/// </summary>
public readonly record struct QueueDelivery(string QueueName, ulong MessageId, Message Message, bool Redelivered);
