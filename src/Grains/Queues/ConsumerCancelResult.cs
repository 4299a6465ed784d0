namespace OrleansBroker.Grains.Queues;

/// <summary>
/// The answer to a cancel: how many deliveries the queue sent the consumer in all (so the channel can wait for
/// those still on their way before cancel-ok: none may follow it), and whether that was the last consumer of an
/// auto-delete queue, which the caller then deletes through the virtual host.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.ConsumerCancelResult")]
public readonly record struct ConsumerCancelResult(bool Found, long Delivered, bool LastConsumerOfAutoDeleteQueue);
