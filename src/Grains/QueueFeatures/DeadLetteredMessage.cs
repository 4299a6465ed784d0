namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>A message as it leaves a queue for its dead-letter exchange (see <see cref="DeadLettering"/>).</summary>
/// <param name="Exchange">The dead-letter exchange it is published to; the "exchange" of its next death.</param>
/// <param name="RoutingKeys">
/// The routing keys it is routed with: the dead-letter routing key alone when the queue has one, else the message's
/// own (routing key, CC, BCC). The first is the routing key consumers see; all are its routing keys from now on.
/// </param>
/// <param name="Properties">The new raw content-header properties: x-death recorded, expiration removed.</param>
public sealed record DeadLetteredMessage(string Exchange, IReadOnlyList<string> RoutingKeys, byte[] Properties);
