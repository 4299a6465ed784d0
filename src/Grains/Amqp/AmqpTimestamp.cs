namespace OrleansBroker.Amqp;

/// <summary>Field-table timestamp ('T'): seconds since the Unix epoch, as a 64-bit unsigned value.</summary>
public readonly record struct AmqpTimestamp(ulong UnixSeconds);
