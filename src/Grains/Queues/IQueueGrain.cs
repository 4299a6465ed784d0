using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// One queue (key: <see cref="GrainKeys.Queue"/>). Holds the ready messages in order, the delivered but unsettled
/// ones, and its consumers, whom it serves round-robin within the credit their channels grant. Existence and
/// exclusivity checks belong to the virtual host; a queue trusts its callers.
/// </summary>
[Alias("ob.IQueueGrain")]
public interface IQueueGrain : IGrainWithStringKey
{
    /// <summary>Called once by the virtual host when the queue is declared.</summary>
    [Alias("Create")]
    Task Create(string vhost, QueueDeclaration declaration, string? exclusiveOwner, string? homeNode);

    /// <summary>
    /// The policy and operator policy now in force on the queue (told by the virtual host at declare, at its start and
    /// whenever policies change); kept in the queue's state, they take effect at once with its arguments.
    /// </summary>
    [Alias("ApplyPolicies")]
    ValueTask ApplyPolicies(AppliedPolicies policies);

    [Alias("GetCounts")]
    ValueTask<QueueCounts> GetCounts();

    /// <summary>
    /// Append messages in order; completes when they are accepted (persistent ones on disk), saying which ones a full
    /// queue refused (overflow reject-publish).
    /// </summary>
    [Alias("Enqueue")]
    ValueTask<EnqueueOutcome> Enqueue(Immutable<Message[]> messages);

    /// <summary>Attach a consumer. 403 ACCESS_REFUSED when exclusivity forbids it.</summary>
    [Alias("Consume")]
    ValueTask Consume(ConsumerRegistration registration, IConsumerObserver observer);

    /// <summary>Detach a consumer; its unsettled deliveries stay with its channel.</summary>
    [Alias("Cancel")]
    ValueTask<ConsumerCancelResult> Cancel(string channelId, string consumerTag);

    /// <summary>
    /// A gateway without a silo is gone (its lease ran out): its channels' consumers are removed and their unsettled
    /// deliveries requeued, redelivered, as for channels of a dead node.
    /// </summary>
    [Alias("ReleaseGateway")]
    ValueTask ReleaseGateway(string gatewayId);

    /// <summary>basic.get: take the next ready message, or report that there is none.</summary>
    [Alias("Get")]
    ValueTask<QueueGetResult> Get(string channelId, bool noAck);

    /// <summary>Ack, requeue, discard or return delivered messages by their queue message ids; then grant credit.</summary>
    [Alias("Settle")]
    ValueTask Settle(SettlementBatch batch);

    /// <summary>Drop all ready messages; returns how many.</summary>
    [Alias("Purge")]
    ValueTask<uint> Purge();

    /// <summary>
    /// Delete the queue: 406 PRECONDITION_FAILED when <paramref name="ifUnused"/> and it has consumers,
    /// or <paramref name="ifEmpty"/> and it has ready messages. Consumers are told; returns the
    /// number of ready messages dropped.
    /// </summary>
    [Alias("Delete")]
    ValueTask<uint> Delete(bool ifUnused, bool ifEmpty);

    /// <summary>Declaration, home and depth, for listings (management API, CLI, metrics).</summary>
    [Alias("GetInfo")]
    ValueTask<QueueInfo> GetInfo();
}
