namespace OrleansBroker.Amqp;

/// <summary>Field-table decimal ('D'): an unscaled signed 32-bit value and a scale (decimal places).</summary>
public readonly record struct AmqpDecimal(byte Scale, int Value);
