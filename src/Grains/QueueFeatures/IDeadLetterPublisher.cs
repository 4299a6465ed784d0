namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// Publishes what queues dead-letter to their dead-letter exchanges: routed through this node's copy of the virtual
/// host's routing, then one enqueue call per target queue for the whole batch. At most once, as RabbitMQ's classic
/// queues: the queue hands the batch over and goes on (it never waits for other queues, which may be dead-lettering
/// back to it). Messages routed to a queue they would cycle through are dropped (<see cref="DeadLetterCycles"/>).
/// </summary>
public interface IDeadLetterPublisher
{
    void Publish(string virtualHost, IReadOnlyList<DeadLetter> batch);
}

/// <summary>One dead-lettered message: its new routing and properties, its body, and why it died.</summary>
public sealed record DeadLetter(DeadLetteredMessage Message, ReadOnlyMemory<byte> Body, DeadLetterReason Reason);
