namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// When a queued message expires: at enqueue time plus the smaller of the queue's message TTL and the message's own
/// expiration (either may be absent), as absolute Unix milliseconds so the deadline survives a restart. A message is
/// expired once the clock reaches its deadline (RabbitMQ: Now >= Expiry), and leaves when it reaches the head.
/// TTL 0 differs by type, as in RabbitMQ 3.10: a classic queue's deadline is the enqueue instant, so the message is
/// gone unless a consumer takes it at once (a classic queue whose own x-message-ttl is 0 and that has no dead-letter
/// exchange discards an undelivered message right at publish), while rabbit_fifo gives quorum queues one millisecond.
/// </summary>
public static class MessageDeadline
{
    /// <param name="queueMessageTtl">The queue's effective message TTL (<see cref="EffectiveQueueSettings.MessageTtl"/>).</param>
    /// <param name="expiration">The message's expiration property, already accepted at publish.</param>
    /// <returns>The deadline in Unix milliseconds, or null when the message never expires.</returns>
    public static long? Compute(QueueType type, long? queueMessageTtl, string? expiration, long enqueuedAtUnixMilliseconds)
    {
        var messageTtl = MessageExpiration.Milliseconds(expiration);
        long? ttl = (queueMessageTtl, messageTtl) switch
        {
            (null, null) => null,
            ({ } queue, null) => queue,
            (null, { } message) => message,
            ({ } queue, { } message) => Math.Min(queue, message),
        };
        if (ttl is not { } milliseconds)
        {
            return null;
        }

        if (milliseconds == 0 && type == QueueType.Quorum)
        {
            milliseconds = 1;
        }

        return enqueuedAtUnixMilliseconds + milliseconds;
    }

    public static bool IsExpired(long? deadlineUnixMilliseconds, long nowUnixMilliseconds) =>
        deadlineUnixMilliseconds is { } deadline && nowUnixMilliseconds >= deadline;
}
