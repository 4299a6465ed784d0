namespace OrleansBroker.Amqp;

/// <summary>
/// All 14 basic-class content properties, decoded; null means absent. The broker keeps properties as raw bytes
/// and reads only a <see cref="BasicPropertiesSummary"/> on the hot path; this full form is for the management
/// API, tools and tests. Written with <see cref="BasicPropertiesWriter"/>, read with <see cref="BasicPropertiesReader.Read"/>.
/// </summary>
public sealed record MessageProperties
{
    public string? ContentType { get; init; }

    public string? ContentEncoding { get; init; }

    public FieldTable? Headers { get; init; }

    /// <summary>1 transient, 2 persistent.</summary>
    public byte? DeliveryMode { get; init; }

    public byte? Priority { get; init; }

    public string? CorrelationId { get; init; }

    public string? ReplyTo { get; init; }

    /// <summary>Per-message TTL in milliseconds, as a decimal string.</summary>
    public string? Expiration { get; init; }

    public string? MessageId { get; init; }

    public AmqpTimestamp? Timestamp { get; init; }

    public string? Type { get; init; }

    public string? UserId { get; init; }

    public string? AppId { get; init; }

    public string? ClusterId { get; init; }
}
