using System.Buffers;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// One frame as read from the connection: its payload is a slice of the connection's input buffer, valid only
/// until the reader advances past it.
/// </summary>
public readonly struct RawFrame(FrameType type, ushort channel, ReadOnlySequence<byte> payload)
{
    public FrameType Type { get; } = type;

    public ushort Channel { get; } = channel;

    public ReadOnlySequence<byte> Payload { get; } = payload;
}
