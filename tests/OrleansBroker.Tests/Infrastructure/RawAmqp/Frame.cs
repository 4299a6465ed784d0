using System.Buffers.Binary;

namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>
/// One frame as read off the wire. Layout (spec 2.3.5 / 4.2.3): type:octet channel:short size:long payload:size
/// frame-end:octet (0xCE). A method payload is class-id:short method-id:short arguments.
/// </summary>
internal sealed record Frame(byte Type, ushort Channel, byte[] Payload, byte FrameEnd)
{
    public bool IsMethod => Type == FrameType.Method && Payload.Length >= 4;

    public bool IsHeartbeat => Type == FrameType.Heartbeat;

    public ushort ClassId => BinaryPrimitives.ReadUInt16BigEndian(Payload);

    public ushort MethodId => BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(2));

    public bool Is(ushort classId, ushort methodId) => IsMethod && ClassId == classId && MethodId == methodId;

    /// <summary>A reader over the method arguments (after class and method ids).</summary>
    public ArgReader Args() => new(Payload, 4);

    public override string ToString() =>
        IsMethod
            ? $"method {ClassId}.{MethodId} on channel {Channel} ({Payload.Length} octets{DescribeClose()})"
            : $"frame type {Type} on channel {Channel} ({Payload.Length} octets, end 0x{FrameEnd:X2})";

    private string DescribeClose()
    {
        if ((Is(10, 50) || Is(20, 40)) && CloseInfo.TryParse(this, out var close))
        {
            return $": {close}";
        }

        return string.Empty;
    }
}
