using System.Buffers.Binary;
using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>Splits a method frame's payload into the method id and the arguments the method's Decode takes.</summary>
public static class MethodFrameReader
{
    /// <summary>The method id, (class id &lt;&lt; 16) | method id, as in <see cref="AmqpMethodIds"/>.</summary>
    public static uint Read(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> arguments)
    {
        if (payload.Length < FrameLayout.MethodIdSize)
        {
            throw new AmqpFormatException($"method frame of {payload.Length} octets; at least {FrameLayout.MethodIdSize} needed");
        }

        arguments = payload[FrameLayout.MethodIdSize..];
        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }
}
