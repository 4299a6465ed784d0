namespace OrleansBroker.Grains.Storage;

/// <summary>
/// Durable storage for the persistent messages (delivery_mode 2) of durable queues, reached by queue
/// grains through this seam (grains touch no files). Keyed by the queue grain's key and the queue's
/// own message ids. Implementations group commits: concurrent appends share one fsync.
/// Crash semantics: an append is on disk once its task completes; delivered marks and removals
/// are written behind and may be lost in a crash, in which case the message comes back (again,
/// or without its redelivered flag): at least once, never lost.
/// </summary>
public interface IMessageStore
{
    /// <summary>Append messages of one queue, in id order. Completes when they are on disk.</summary>
    ValueTask AppendAsync(string queue, ReadOnlyMemory<StoredMessage> messages);

    /// <summary>The messages were delivered to a client (so after a restart they come back redelivered).</summary>
    void MarkDelivered(string queue, ReadOnlySpan<ulong> messageIds);

    /// <summary>The messages are gone: acked, rejected without requeue, purged.</summary>
    void Remove(string queue, ReadOnlySpan<ulong> messageIds);

    /// <summary>The queue is deleted: forget all its messages.</summary>
    ValueTask DeleteQueueAsync(string queue);

    /// <summary>
    /// The messages of the queue that were appended and not removed, in id order. Bodies are read for
    /// the first <paramref name="residentBytes"/> bytes of messages; the rest come back paged (id and
    /// delivered flag only), to be read with <see cref="ReadManyAsync"/> when they near the head.
    /// </summary>
    IAsyncEnumerable<RecoveredMessage> RecoverAsync(string queue, long residentBytes = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Read stored messages back (paging them in), in the order asked; ids no longer stored are skipped.</summary>
    IAsyncEnumerable<StoredMessage> ReadManyAsync(string queue, ReadOnlyMemory<ulong> messageIds, CancellationToken cancellationToken = default);
}

/// <summary>A persistent message as stored: the queue's id for it, where it was published, raw properties and body.</summary>
public readonly record struct StoredMessage(ulong Id, string Exchange, string RoutingKey, ReadOnlyMemory<byte> Properties, ReadOnlyMemory<byte> Body);

/// <summary>
/// A message found again after a restart, and whether it had been delivered before. A paged one
/// carries only its id: its body stays on disk until it is read back.
/// </summary>
public readonly record struct RecoveredMessage(StoredMessage Message, bool Delivered, bool Paged = false);
