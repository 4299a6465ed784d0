namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// The queue types a queue can be declared as (x-queue-type). RabbitMQ 3.10 also has streams; this broker refuses
/// x-queue-type=stream with a clear error (see <see cref="QueueArgumentValidation"/>) rather than pretending.
/// </summary>
public enum QueueType
{
    Classic,
    Quorum,
}
