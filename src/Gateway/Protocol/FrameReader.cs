using System.Buffers;
using System.Buffers.Binary;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// Cuts whole frames off the front of a connection's input, in place. Checks what rabbit_reader checks, in its
/// order: the declared size against frame_max as soon as the header is in, then (once the whole frame is in) the
/// frame-end octet, then the type and the payload's minimum shape (rabbit_command_assembler:analyze_frame).
/// All failures are 501 FRAME_ERROR.
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// True, with <paramref name="frame"/> and <paramref name="buffer"/> advanced past it, when a whole frame is
    /// present; false when more input is needed. <paramref name="frameMax"/> counts header, payload and frame-end
    /// (0: no limit); as RabbitMQ does, a payload up to <paramref name="frameMax"/> octets is let through, since many
    /// clients get the limit wrong by the 8 octets of framing.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, uint frameMax, out RawFrame frame)
    {
        frame = default;
        if (buffer.Length < FrameLayout.HeaderSize)
        {
            return false;
        }

        Span<byte> headerCopy = stackalloc byte[FrameLayout.HeaderSize];
        var first = buffer.FirstSpan;
        ReadOnlySpan<byte> header = first.Length >= FrameLayout.HeaderSize ? first : CopyHeader(buffer, headerCopy);
        var type = header[0];
        var channel = BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
        var payloadSize = BinaryPrimitives.ReadUInt32BigEndian(header[3..]);

        // rabbit_reader: PayloadSize > FrameMax - ?EMPTY_FRAME_SIZE + ?FRAME_SIZE_FUDGE, the fudge being 8.
        if (frameMax != 0 && payloadSize > frameMax)
        {
            throw AmqpFrameException.FrameTooLarge(type, channel, payloadSize, frameMax);
        }

        var frameSize = FrameLayout.Overhead + (long)payloadSize;
        if (buffer.Length < frameSize)
        {
            return false;
        }

        var payload = buffer.Slice(FrameLayout.HeaderSize, payloadSize);
        Span<byte> end = stackalloc byte[1];
        buffer.Slice(FrameLayout.HeaderSize + (long)payloadSize, 1).CopyTo(end);
        if (end[0] != FrameLayout.FrameEnd)
        {
            throw AmqpFrameException.InvalidFrameEnd(type, channel, payload, end[0]);
        }

        if (!IsWellFormed(type, payloadSize))
        {
            throw AmqpFrameException.UnknownFrame(type, channel, payload);
        }

        frame = new RawFrame((FrameType)type, channel, payload);
        buffer = buffer.Slice(frameSize);
        return true;
    }

    private static ReadOnlySpan<byte> CopyHeader(ReadOnlySequence<byte> buffer, Span<byte> destination)
    {
        buffer.Slice(0, FrameLayout.HeaderSize).CopyTo(destination);
        return destination;
    }

    private static bool IsWellFormed(byte type, uint payloadSize) => (FrameType)type switch
    {
        FrameType.Method => payloadSize >= FrameLayout.MethodIdSize,
        FrameType.Header => payloadSize >= FrameLayout.ContentHeaderPrefixSize,
        FrameType.Body => true,
        FrameType.Heartbeat => payloadSize == 0,
        _ => false,
    };
}
