namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A queue's message ids carry their enqueue time: the Unix millisecond in the high bits, a counter in the low
/// <see cref="CounterBits"/> bits. Ids still only increase, and a durable queue recovering its messages knows when
/// each was enqueued without storing anything more, so message TTL deadlines survive restarts.
/// </summary>
internal static class QueueMessageIds
{
    private const int CounterBits = 22;

    // Ids below this were given before ids carried a time (a plain counter from 1).
    private const ulong FirstTimedId = 1_500_000_000_000UL << CounterBits;

    /// <summary>The first id of a batch enqueued at <paramref name="nowUnixMilliseconds"/>, given the next free id.</summary>
    public static ulong First(ulong nextFree, long nowUnixMilliseconds) => Math.Max(nextFree, (ulong)nowUnixMilliseconds << CounterBits);

    /// <summary>When the message with this id was enqueued; null for an id older than timed ids.</summary>
    public static long? EnqueuedAt(ulong id) => id >= FirstTimedId ? (long)(id >> CounterBits) : null;
}
