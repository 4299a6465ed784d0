namespace OrleansBroker.Grains.Queues;

/// <summary>
/// Credit for a consumer of the calling channel, as AMQP 1.0 links count it: the channel has received
/// <see cref="Received"/> deliveries from the queue and may take <see cref="Credit"/> more, so the queue may send
/// until it has sent Received + Credit in all. Counting from what arrived makes a grant exact while deliveries are
/// still on their way; <see cref="Sequence"/> lets the queue ignore a grant older than one it applied.
/// The channel grants what its prefetch allows back as deliveries are acked, or, for consumers without a prefetch
/// limit, a window refilled as deliveries reach the socket: so the queue decides alone whom to deliver to, and a
/// slow client cannot make the gateway buffer without bound.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.CreditGrant")]
public readonly record struct CreditGrant(string ConsumerTag, long Sequence, long Received, int Credit);
