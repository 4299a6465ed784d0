using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A consumer as its queue sees it: the gateway channel's end of one basic.consume. The queue calls
/// it inside the queue's turn; it must not call back into the queue synchronously.
/// </summary>
public interface IConsumerObserver : IGrainObserver
{
    string ConsumerTag { get; }

    /// <summary>Messages delivered to a no-ack consumer are settled at once.</summary>
    bool NoAck { get; }

    /// <summary>
    /// Offer one message. False when the consumer has no credit (prefetch full, or its connection's
    /// output is backed up): the queue keeps the message and offers this consumer nothing more
    /// until <see cref="IQueueGrain.ResumeDelivery"/>.
    /// </summary>
    bool TryDeliver(in QueueDelivery delivery);

    /// <summary>The queue went away under the consumer (deleted): send basic.cancel to the client.</summary>
    void OnQueueDeleted();
}
