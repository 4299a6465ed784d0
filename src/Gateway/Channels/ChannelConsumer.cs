using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// One basic.consume as its channel sees it. Its counters are guarded by the channel's lock: deliveries arrive on
/// Orleans' threads while the read loop settles.
/// </summary>
internal sealed class ChannelConsumer(string consumerTag, bool noAck, ushort prefetch, string queueName, IQueueGrain queue)
{
    /// <summary>
    /// Credit a consumer without a prefetch limit (no-ack, or prefetch 0) keeps at its queue: enough for a queue to
    /// send large batches, small enough that a client that stops reading pins a bounded amount of memory.
    /// </summary>
    public const int Window = 1024;

    public string ConsumerTag { get; } = consumerTag;

    public bool NoAck { get; } = noAck;

    /// <summary>Per-consumer prefetch (basic.qos global=false when it consumed); 0 means unlimited.</summary>
    public ushort Prefetch { get; } = prefetch;

    public string QueueName { get; } = queueName;

    public IQueueGrain Queue { get; } = queue;

    /// <summary>Credit refilled as deliveries reach the socket, not as they are acked.</summary>
    public bool UsesWindow => NoAck || Prefetch == 0;

    /// <summary>Deliveries not settled yet.</summary>
    public int Unacked { get; set; }

    /// <summary>consume-ok has gone out; deliveries may follow it.</summary>
    public bool Started { get; set; }

    /// <summary>Deliveries that arrived before consume-ok went out; written right after it.</summary>
    public List<Delivery>? Held { get; set; }

    /// <summary>Deliveries received from the queue in all (written, held or returned).</summary>
    public long Received { get; set; }

    /// <summary>The credit limit last granted: the queue may send up to this many deliveries in all.</summary>
    public long GrantedLimit { get; set; }

    /// <summary>Some of its deliveries went back to the queue in the batch being handled: it is granted nothing more for now.</summary>
    public bool ReturnedSinceGrant { get; set; }

    /// <summary>In the channel's list of consumers to grant credit at the next flush.</summary>
    public bool CreditDue { get; set; }

    /// <summary>Orders grants: the queue applies only a grant newer than the last it applied.</summary>
    public long GrantSequence { get; set; }

    /// <summary>After a cancel: how many deliveries the queue sent in all; cancel-ok waits until all arrived.</summary>
    public long ExpectedDeliveries { get; set; } = long.MaxValue;

    /// <summary>Completed once <see cref="Received"/> reaches <see cref="ExpectedDeliveries"/>.</summary>
    public TaskCompletionSource? AllReceived { get; set; }
}
