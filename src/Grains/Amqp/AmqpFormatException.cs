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

    internal static AmqpFormatException Truncated(long needed, int remaining) =>
        new($"truncated: needed {needed} more octet(s), {remaining} left");
}
