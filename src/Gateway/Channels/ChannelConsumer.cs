using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// One basic.consume: the queue's observer on this channel. Its counters are guarded by the
/// channel's lock, since queues call <see cref="TryDeliver"/> from their own turns.
/// </summary>
internal sealed class ChannelConsumer(AmqpChannel channel, string consumerTag, bool noAck, ushort prefetch, string queueName, IQueueGrain queue)
    : IConsumerObserver
{
    public string ConsumerTag { get; } = consumerTag;

    public bool NoAck { get; } = noAck;

    /// <summary>Per-consumer prefetch (basic.qos global=false when it consumed); 0 means unlimited.</summary>
    public ushort Prefetch { get; } = prefetch;

    public string QueueName { get; } = queueName;

    public IQueueGrain Queue { get; } = queue;

    /// <summary>Deliveries not settled yet.</summary>
    public int Unacked { get; set; }

    /// <summary>consume-ok has gone out; deliveries may follow it.</summary>
    public bool Started { get; set; }

    /// <summary>It refused an offer; the queue waits for ResumeDelivery.</summary>
    public bool Refused { get; set; }

    public bool TryDeliver(in QueueDelivery delivery) => channel.TryDeliver(this, delivery);

    public void OnQueueDeleted() => channel.OnConsumerQueueDeleted(this);
}
