using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// One queue (key: <see cref="GrainKeys.Queue"/>). Holds the ready messages in order, the delivered
/// but unsettled ones, and the consumers it dispatches to round-robin within their credit.
/// Existence and exclusivity checks belong to the virtual host; a queue trusts its callers.
/// </summary>
public interface IQueueGrain : IGrainWithStringKey
{
    /// <summary>Called once by the virtual host when the queue is declared.</summary>
    ValueTask Create(string vhost, QueueDeclaration declaration, string? exclusiveOwner);

    ValueTask<QueueCounts> GetCounts();

    /// <summary>Append messages in order; completes when they are accepted.</summary>
    ValueTask Enqueue(ReadOnlyMemory<Message> messages);

    /// <summary>Attach a consumer. 403 ACCESS_REFUSED when exclusivity forbids it.</summary>
    ValueTask Consume(ConsumerRegistration registration, IConsumerObserver observer);

    /// <summary>
    /// Detach a consumer. True when the queue is auto-delete and this was its last consumer:
    /// the caller then deletes it through the virtual host.
    /// </summary>
    ValueTask<bool> Cancel(IConsumerObserver observer);

    /// <summary>basic.get: take the next ready message, or report that there is none.</summary>
    ValueTask<QueueGetResult> Get(bool noAck);

    /// <summary>Ack, requeue or discard delivered messages by their queue message ids.</summary>
    ValueTask Settle(ReadOnlyMemory<Settlement> settlements);

    /// <summary>The consumer has credit again (it had refused a delivery).</summary>
    ValueTask ResumeDelivery(IConsumerObserver observer);

    /// <summary>Drop all ready messages; returns how many.</summary>
    ValueTask<uint> Purge();

    /// <summary>
    /// Delete the queue: 406 PRECONDITION_FAILED when <paramref name="ifUnused"/> and it has consumers,
    /// or <paramref name="ifEmpty"/> and it has ready messages. Consumers are told; returns the
    /// number of ready messages dropped.
    /// </summary>
    ValueTask<uint> Delete(bool ifUnused, bool ifEmpty);
}
