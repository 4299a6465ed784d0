namespace OrleansBroker.Amqp;

/// <summary>
/// Reads basic-class properties from the raw bytes of a content header after the body size:
/// 16-bit property flags (bit 15 first; bit 0 set means another flags word follows), then the
/// present properties in order: content-type, content-encoding, headers, delivery-mode, priority,
/// correlation-id, reply-to, expiration, message-id, timestamp, type, user-id, app-id, cluster-id.
/// Octets after the last present property are ignored, as RabbitMQ ignores them. Malformed or truncated
/// properties throw <see cref="AmqpFormatException"/>.
/// </summary>
public static class BasicPropertiesReader
{
    /// <summary>What the broker acts on. Allocates only the expiration and user-id strings, when present.</summary>
    public static BasicPropertiesSummary ReadSummary(ReadOnlySpan<byte> raw)
    {
        var reader = new AmqpReader(raw);
        var flags = ReadFlags(ref reader);
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.ContentType);
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.ContentEncoding);
        var hasHeaders = Has(flags, BasicPropertyFlags.Headers);
        if (hasHeaders)
        {
            reader.SkipTable();
        }

        var deliveryMode = Has(flags, BasicPropertyFlags.DeliveryMode) ? reader.ReadOctet() : (byte)0;
        var priority = Has(flags, BasicPropertyFlags.Priority) ? reader.ReadOctet() : (byte)0;
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.CorrelationId);
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.ReplyTo);
        var expiration = Has(flags, BasicPropertyFlags.Expiration) ? reader.ReadShortString() : null;
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.MessageId);
        if (Has(flags, BasicPropertyFlags.Timestamp))
        {
            reader.ReadLongLong();
        }

        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.Type);
        var userId = Has(flags, BasicPropertyFlags.UserId) ? reader.ReadShortString() : null;
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.AppId);
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.ClusterId);
        return new BasicPropertiesSummary(deliveryMode, priority, hasHeaders, expiration, userId);
    }

    /// <summary>The headers property; <see cref="FieldTable.Empty"/> when absent.</summary>
    public static FieldTable ReadHeaders(ReadOnlySpan<byte> raw)
    {
        var reader = new AmqpReader(raw);
        var flags = ReadFlags(ref reader);
        if (!Has(flags, BasicPropertyFlags.Headers))
        {
            return FieldTable.Empty;
        }

        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.ContentType);
        SkipShortStringIf(ref reader, flags, BasicPropertyFlags.ContentEncoding);
        return reader.ReadTable();
    }

    /// <summary>All 14 properties.</summary>
    public static MessageProperties Read(ReadOnlySpan<byte> raw)
    {
        var reader = new AmqpReader(raw);
        var flags = ReadFlags(ref reader);
        return new MessageProperties
        {
            ContentType = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.ContentType),
            ContentEncoding = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.ContentEncoding),
            Headers = Has(flags, BasicPropertyFlags.Headers) ? reader.ReadTable() : null,
            DeliveryMode = Has(flags, BasicPropertyFlags.DeliveryMode) ? reader.ReadOctet() : null,
            Priority = Has(flags, BasicPropertyFlags.Priority) ? reader.ReadOctet() : null,
            CorrelationId = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.CorrelationId),
            ReplyTo = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.ReplyTo),
            Expiration = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.Expiration),
            MessageId = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.MessageId),
            Timestamp = Has(flags, BasicPropertyFlags.Timestamp) ? new AmqpTimestamp(reader.ReadLongLong()) : null,
            Type = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.Type),
            UserId = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.UserId),
            AppId = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.AppId),
            ClusterId = ReadShortStringIf(ref reader, flags, BasicPropertyFlags.ClusterId),
        };
    }

    /// <summary>The first flags word; continuation words are read past, since basic defines no properties in them.</summary>
    public static BasicPropertyFlags ReadFlags(ref AmqpReader reader)
    {
        var first = reader.ReadShort();
        var word = first;
        while ((word & (ushort)BasicPropertyFlags.Continuation) != 0)
        {
            word = reader.ReadShort();
        }

        return (BasicPropertyFlags)first;
    }

    private static bool Has(BasicPropertyFlags flags, BasicPropertyFlags property) => (flags & property) != 0;

    private static void SkipShortStringIf(ref AmqpReader reader, BasicPropertyFlags flags, BasicPropertyFlags property)
    {
        if (Has(flags, property))
        {
            reader.SkipShortString();
        }
    }

    private static string? ReadShortStringIf(ref AmqpReader reader, BasicPropertyFlags flags, BasicPropertyFlags property) =>
        Has(flags, property) ? reader.ReadShortString() : null;
}
