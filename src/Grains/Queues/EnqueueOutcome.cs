namespace OrleansBroker.Grains.Queues;

/// <summary>
/// What a queue did with an enqueued batch: <see cref="Rejected"/> lists the positions in the batch of the messages
/// it refused (a full queue with overflow reject-publish or reject-publish-dlx), null when it took them all, which
/// is the common case and costs nothing. Confirming publishers get basic.nack for the refused ones.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.EnqueueOutcome")]
public readonly record struct EnqueueOutcome(int[]? Rejected)
{
    public static readonly EnqueueOutcome AllAccepted = new(null);
}
