using System.Buffers;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// A message going to the client: the method (deliver, get-ok or return), the content header with
/// the publisher's property bytes as they came, and the body split by frame_max.
/// </summary>
internal readonly record struct DeliveryFrames<TMethod>(ushort Channel, TMethod Method, Message Message, uint FrameMax)
    where TMethod : struct, IAmqpMethod<TMethod>
{
    private const ushort BasicClassId = 60;

    public void Write(IBufferWriter<byte> output)
    {
        FrameWriter.WriteMethod(output, Channel, Method);
        FrameWriter.WriteContentHeader(output, Channel, BasicClassId, (ulong)Message.Body.Length, Message.Properties.Span);
        FrameWriter.WriteBody(output, Channel, Message.Body.Span, FrameMax);
    }
}
