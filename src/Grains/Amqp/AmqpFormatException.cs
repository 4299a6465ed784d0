namespace OrleansBroker.Amqp;

/// <summary>
/// Bytes that do not decode as AMQP 0-9-1: truncated, an unknown field-table type tag, trailing bytes
/// after a method's arguments. The gateway answers with a connection error (RabbitMQ reports a method it
/// cannot decode as 501 FRAME_ERROR "cannot decode ...").
/// </summary>
public sealed class AmqpFormatException : Exception
{
    public AmqpFormatException(string message)
        : base(message)
    {
    }

    /// <summary>True for a short string that is not UTF-8 (RabbitMQ: "Malformed UTF-8 in shortstr").</summary>
    public bool IsMalformedUtf8 { get; private init; }

    internal static AmqpFormatException MalformedShortString() => new("Malformed UTF-8 in shortstr") { IsMalformedUtf8 = true };

    internal static AmqpFormatException Truncated(long needed, int remaining) =>
        new($"truncated: needed {needed} more octet(s), {remaining} left");
}
