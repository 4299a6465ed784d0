namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>x-dead-letter-strategy / policy "dead-letter-strategy" of quorum queues.</summary>
public enum DeadLetterStrategy
{
    /// <summary>"at-most-once": dead-lettered messages are published once, without confirmation (the default).</summary>
    AtMostOnce,

    /// <summary>
    /// "at-least-once": the quorum queue keeps a dead-lettered message until the target queues confirm it. RabbitMQ only
    /// honours it when the effective overflow is reject-publish (else it falls back to at-most-once).
    /// </summary>
    AtLeastOnce,
}
