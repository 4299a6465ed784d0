namespace OrleansBroker.Amqp;

/// <summary>
/// Writes basic-class properties (property flags, then the present properties in order) in the raw form
/// <see cref="BasicPropertiesReader"/> reads and a content header carries. One flags word: basic has 14 properties.
/// </summary>
public static class BasicPropertiesWriter
{
    public static BasicPropertyFlags GetFlags(MessageProperties properties)
    {
        var flags = BasicPropertyFlags.None;
        flags |= properties.ContentType is null ? 0 : BasicPropertyFlags.ContentType;
        flags |= properties.ContentEncoding is null ? 0 : BasicPropertyFlags.ContentEncoding;
        flags |= properties.Headers is null ? 0 : BasicPropertyFlags.Headers;
        flags |= properties.DeliveryMode is null ? 0 : BasicPropertyFlags.DeliveryMode;
        flags |= properties.Priority is null ? 0 : BasicPropertyFlags.Priority;
        flags |= properties.CorrelationId is null ? 0 : BasicPropertyFlags.CorrelationId;
        flags |= properties.ReplyTo is null ? 0 : BasicPropertyFlags.ReplyTo;
        flags |= properties.Expiration is null ? 0 : BasicPropertyFlags.Expiration;
        flags |= properties.MessageId is null ? 0 : BasicPropertyFlags.MessageId;
        flags |= properties.Timestamp is null ? 0 : BasicPropertyFlags.Timestamp;
        flags |= properties.Type is null ? 0 : BasicPropertyFlags.Type;
        flags |= properties.UserId is null ? 0 : BasicPropertyFlags.UserId;
        flags |= properties.AppId is null ? 0 : BasicPropertyFlags.AppId;
        flags |= properties.ClusterId is null ? 0 : BasicPropertyFlags.ClusterId;
        return flags;
    }

    public static int GetSize(MessageProperties properties) =>
        AmqpSizes.Short
        + ShortStringSize(properties.ContentType)
        + ShortStringSize(properties.ContentEncoding)
        + (properties.Headers is null ? 0 : AmqpSizes.Table(properties.Headers))
        + (properties.DeliveryMode is null ? 0 : AmqpSizes.Octet)
        + (properties.Priority is null ? 0 : AmqpSizes.Octet)
        + ShortStringSize(properties.CorrelationId)
        + ShortStringSize(properties.ReplyTo)
        + ShortStringSize(properties.Expiration)
        + ShortStringSize(properties.MessageId)
        + (properties.Timestamp is null ? 0 : AmqpSizes.LongLong)
        + ShortStringSize(properties.Type)
        + ShortStringSize(properties.UserId)
        + ShortStringSize(properties.AppId)
        + ShortStringSize(properties.ClusterId);

    public static void Write(MessageProperties properties, ref AmqpWriter writer)
    {
        writer.WriteShort((ushort)GetFlags(properties));
        WriteShortStringIfPresent(ref writer, properties.ContentType);
        WriteShortStringIfPresent(ref writer, properties.ContentEncoding);
        if (properties.Headers is not null)
        {
            writer.WriteTable(properties.Headers);
        }

        if (properties.DeliveryMode is { } deliveryMode)
        {
            writer.WriteOctet(deliveryMode);
        }

        if (properties.Priority is { } priority)
        {
            writer.WriteOctet(priority);
        }

        WriteShortStringIfPresent(ref writer, properties.CorrelationId);
        WriteShortStringIfPresent(ref writer, properties.ReplyTo);
        WriteShortStringIfPresent(ref writer, properties.Expiration);
        WriteShortStringIfPresent(ref writer, properties.MessageId);
        if (properties.Timestamp is { } timestamp)
        {
            writer.WriteLongLong(timestamp.UnixSeconds);
        }

        WriteShortStringIfPresent(ref writer, properties.Type);
        WriteShortStringIfPresent(ref writer, properties.UserId);
        WriteShortStringIfPresent(ref writer, properties.AppId);
        WriteShortStringIfPresent(ref writer, properties.ClusterId);
    }

    public static byte[] ToArray(MessageProperties properties)
    {
        var raw = new byte[GetSize(properties)];
        var writer = new AmqpWriter(raw);
        Write(properties, ref writer);
        return raw;
    }

    private static int ShortStringSize(string? value) => value is null ? 0 : AmqpSizes.ShortString(value);

    private static void WriteShortStringIfPresent(ref AmqpWriter writer, string? value)
    {
        if (value is not null)
        {
            writer.WriteShortString(value);
        }
    }
}
