using System.Buffers;
using System.Buffers.Binary;
using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// Writes frames into a connection's output (a PipeWriter, say), each sized exactly before it is written.
/// Flushing is the caller's: write a batch, flush once.
/// </summary>
public static class FrameWriter
{
    private static ReadOnlySpan<byte> ProtocolHeader => "AMQP\0\0\u0009\u0001"u8;

    private static ReadOnlySpan<byte> HeartbeatFrame => [(byte)FrameType.Heartbeat, 0, 0, 0, 0, 0, 0, FrameLayout.FrameEnd];

    public static void WriteMethod<T>(IBufferWriter<byte> output, ushort channel, in T method)
        where T : struct, IAmqpMethod<T>
    {
        var argumentsSize = method.GetArgumentsSize();
        var payloadSize = FrameLayout.MethodIdSize + argumentsSize;
        var frame = output.GetSpan(FrameLayout.Overhead + payloadSize);
        WriteHeader(frame, FrameType.Method, channel, payloadSize);
        BinaryPrimitives.WriteUInt32BigEndian(frame[FrameLayout.HeaderSize..], T.Id);
        var writer = new AmqpWriter(frame.Slice(FrameLayout.HeaderSize + FrameLayout.MethodIdSize, argumentsSize));
        method.EncodeArguments(ref writer);
        if (writer.Written != argumentsSize)
        {
            throw new InvalidOperationException($"{typeof(T).Name} wrote {writer.Written} octets after sizing {argumentsSize}");
        }

        frame[FrameLayout.HeaderSize + payloadSize] = FrameLayout.FrameEnd;
        output.Advance(FrameLayout.Overhead + payloadSize);
    }

    /// <summary>A content header: class id, weight 0, body size, then the raw property flags and list.</summary>
    public static void WriteContentHeader(IBufferWriter<byte> output, ushort channel, ushort classId, ulong bodySize, ReadOnlySpan<byte> rawProperties)
    {
        var payloadSize = FrameLayout.ContentHeaderPrefixSize + rawProperties.Length;
        var frame = output.GetSpan(FrameLayout.Overhead + payloadSize);
        WriteHeader(frame, FrameType.Header, channel, payloadSize);
        var payload = frame.Slice(FrameLayout.HeaderSize, payloadSize);
        BinaryPrimitives.WriteUInt16BigEndian(payload, classId);
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], 0);
        BinaryPrimitives.WriteUInt64BigEndian(payload[4..], bodySize);
        rawProperties.CopyTo(payload[FrameLayout.ContentHeaderPrefixSize..]);
        frame[FrameLayout.HeaderSize + payloadSize] = FrameLayout.FrameEnd;
        output.Advance(FrameLayout.Overhead + payloadSize);
    }

    /// <summary>
    /// The body in frames of at most frameMax - 8 payload octets (one frame when frameMax is 0); nothing for an
    /// empty body, as RabbitMQ sends none.
    /// </summary>
    public static void WriteBody(IBufferWriter<byte> output, ushort channel, ReadOnlySpan<byte> body, uint frameMax)
    {
        if (frameMax != 0 && frameMax <= FrameLayout.Overhead)
        {
            throw new ArgumentOutOfRangeException(nameof(frameMax), frameMax, "frame_max leaves no room for a body octet");
        }

        var maxPayload = frameMax == 0 ? body.Length : (int)Math.Min(frameMax - FrameLayout.Overhead, int.MaxValue);
        while (!body.IsEmpty)
        {
            var payloadSize = Math.Min(body.Length, maxPayload);
            var frame = output.GetSpan(FrameLayout.Overhead + payloadSize);
            WriteHeader(frame, FrameType.Body, channel, payloadSize);
            body[..payloadSize].CopyTo(frame[FrameLayout.HeaderSize..]);
            frame[FrameLayout.HeaderSize + payloadSize] = FrameLayout.FrameEnd;
            output.Advance(FrameLayout.Overhead + payloadSize);
            body = body[payloadSize..];
        }
    }

    public static void WriteHeartbeat(IBufferWriter<byte> output) => output.Write(HeartbeatFrame);

    /// <summary>"AMQP" 0 0 9 1: what a client sends first, and what a server answers to a protocol header it does not accept.</summary>
    public static void WriteProtocolHeader(IBufferWriter<byte> output) => output.Write(ProtocolHeader);

    private static void WriteHeader(Span<byte> frame, FrameType type, ushort channel, int payloadSize)
    {
        frame[0] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(frame[1..], channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame[3..], (uint)payloadSize);
    }
}
