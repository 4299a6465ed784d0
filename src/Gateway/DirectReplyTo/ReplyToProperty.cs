using System.Buffers.Binary;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.DirectReplyTo;

namespace OrleansBroker.Gateway.DirectReplyTo;

/// <summary>
/// The reply_to property in a content header's raw property bytes: found by walking the properties before it, without
/// decoding (a publish without reply_to costs one flags test), and replaced by splicing, so every other property
/// stays byte-exact.
/// </summary>
internal static class ReplyToProperty
{
    /// <summary>Whether reply_to is exactly <c>amq.rabbitmq.reply-to</c>: the publisher asks for a direct reply.</summary>
    public static bool AsksForDirectReply(ReadOnlySpan<byte> properties)
    {
        if (properties.Length < 2 || (BinaryPrimitives.ReadUInt16BigEndian(properties) & (ushort)BasicPropertyFlags.ReplyTo) == 0)
        {
            return false;
        }

        var start = Find(properties);
        return properties[start] == DirectReplyNames.PseudoQueue.Length
            && properties.Slice(start + 1, properties[start]).SequenceEqual("amq.rabbitmq.reply-to"u8);
    }

    /// <summary>
    /// The message's content (properties, then body) with reply_to set to <paramref name="replyTo"/>; the new
    /// properties' length in <paramref name="propertiesLength"/>.
    /// </summary>
    public static byte[] Replace(ReadOnlySpan<byte> properties, ReadOnlySpan<byte> body, string replyTo, out int propertiesLength)
    {
        var start = Find(properties);
        var end = start + 1 + properties[start];
        var name = System.Text.Encoding.UTF8.GetBytes(replyTo);
        propertiesLength = start + 1 + name.Length + (properties.Length - end);
        var content = new byte[propertiesLength + body.Length];
        properties[..start].CopyTo(content);
        content[start] = (byte)name.Length;
        name.CopyTo(content.AsSpan(start + 1));
        properties[end..].CopyTo(content.AsSpan(start + 1 + name.Length));
        body.CopyTo(content.AsSpan(propertiesLength));
        return content;
    }

    /// <summary>The offset of reply_to's length octet; the flags must say it is present.</summary>
    private static int Find(ReadOnlySpan<byte> properties)
    {
        var reader = new AmqpReader(properties);
        var flags = BasicPropertiesReader.ReadFlags(ref reader);
        if ((flags & BasicPropertyFlags.ContentType) != 0)
        {
            reader.SkipShortString();
        }

        if ((flags & BasicPropertyFlags.ContentEncoding) != 0)
        {
            reader.SkipShortString();
        }

        if ((flags & BasicPropertyFlags.Headers) != 0)
        {
            reader.SkipTable();
        }

        if ((flags & BasicPropertyFlags.DeliveryMode) != 0)
        {
            reader.ReadOctet();
        }

        if ((flags & BasicPropertyFlags.Priority) != 0)
        {
            reader.ReadOctet();
        }

        if ((flags & BasicPropertyFlags.CorrelationId) != 0)
        {
            reader.SkipShortString();
        }

        return reader.Consumed;
    }
}
