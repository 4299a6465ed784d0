using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// RabbitMQ's dead-letter cycle rule (rabbit_dead_letter:detect_cycles): a dead-lettered message is not delivered to
/// a queue it already died in when every death since then, that one included, was automatic (expired, maxlen,
/// delivery_limit). A rejection anywhere in the cycle means a client is involved, so the message goes on; a message
/// dead-lettered because it was rejected is never held back. RabbitMQ drops the message for such queues and logs the
/// cycle once (observed: two queues with x-message-ttl dead-lettering into each other end up empty).
/// </summary>
public static class DeadLetterCycles
{
    /// <param name="reason">Why the message was just dead-lettered.</param>
    /// <param name="headers">The headers of the dead-lettered message (with this death already recorded).</param>
    /// <param name="targetQueue">A queue the dead-letter exchange routed it to.</param>
    public static bool IsCycle(DeadLetterReason reason, FieldTable headers, string targetQueue)
    {
        if (reason == DeadLetterReason.Rejected || !headers.TryGetValue(DeathHeaders.XDeath, out var value) || value is not IReadOnlyList<object?> deaths)
        {
            return false;
        }

        // Deaths are newest first: walk back to the last death in the target queue; the cycle is everything since.
        for (var i = 0; i < deaths.Count; i++)
        {
            if (deaths[i] is FieldTable death && FieldTableEdits.Lookup(death, "queue") is string queue && queue == targetQueue)
            {
                return deaths.Take(i + 1).All(IsAutomatic);
            }
        }

        return false;
    }

    /// <summary>The target queues the message may go to: those where it would not cycle.</summary>
    public static IReadOnlyList<string> WithoutCycles(DeadLetterReason reason, FieldTable headers, IReadOnlyList<string> targetQueues) =>
        targetQueues.Where(queue => !IsCycle(reason, headers, queue)).ToList();

    // Anything but a table is something a client put there, so the cycle was not automatic.
    private static bool IsAutomatic(object? death) =>
        death is FieldTable table && !(FieldTableEdits.Lookup(table, "reason") is string reason && reason == "rejected");
}
