using System.Buffers.Binary;
using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// Splits a content header frame's payload: class id, weight, body size, then the raw property flags and list
/// (kept raw so deliveries re-emit them byte-exact; <see cref="BasicPropertiesReader"/> reads what the broker needs).
/// </summary>
public static class ContentHeaderReader
{
    public static void Read(ReadOnlySpan<byte> payload, out ushort classId, out ulong bodySize, out ReadOnlySpan<byte> rawProperties) =>
        Read(payload, out classId, out _, out bodySize, out rawProperties);

    /// <summary>Also gives the weight, which RabbitMQ requires to be 0.</summary>
    public static void Read(ReadOnlySpan<byte> payload, out ushort classId, out ushort weight, out ulong bodySize, out ReadOnlySpan<byte> rawProperties)
    {
        if (payload.Length < FrameLayout.ContentHeaderPrefixSize)
        {
            throw new AmqpFormatException($"content header of {payload.Length} octets; at least {FrameLayout.ContentHeaderPrefixSize} needed");
        }

        classId = BinaryPrimitives.ReadUInt16BigEndian(payload);
        weight = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
        bodySize = BinaryPrimitives.ReadUInt64BigEndian(payload[4..]);
        rawProperties = payload[FrameLayout.ContentHeaderPrefixSize..];
    }
}
