using OrleansBroker.Amqp;

namespace OrleansBroker.Client;

/// <summary>How a consumer takes messages from its queue: what basic.qos and basic.consume would say.</summary>
public sealed record ConsumeOptions
{
    /// <summary>
    /// The most messages the queue hands this consumer before it settles some (basic.qos prefetch_count). With
    /// <see cref="AutoAck"/>, the most messages received and not yet handed to the app. At least 1; default 100.
    /// </summary>
    public ushort Prefetch { get; init; } = 100;

    /// <summary>Messages count as acknowledged once the queue sends them (basic.consume no_ack): nothing to settle, nothing redelivered.</summary>
    public bool AutoAck { get; init; }

    /// <summary>The only consumer of the queue (basic.consume exclusive): 403 ACCESS_REFUSED while it has another, and no other may join.</summary>
    public bool Exclusive { get; init; }

    /// <summary>The consumer's tag; null: one is made as RabbitMQ makes them ("amq.ctag-...").</summary>
    public string? ConsumerTag { get; init; }

    /// <summary>basic.consume's arguments; null for none.</summary>
    public FieldTable? Arguments { get; init; }
}
