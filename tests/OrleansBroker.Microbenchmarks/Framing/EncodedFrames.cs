using System.Buffers;
using OrleansBroker.Gateway.Protocol;

namespace OrleansBroker.Microbenchmarks.Framing;

/// <summary>Wire bytes for the reading benchmarks, written by the broker's own <see cref="FrameWriter"/>.</summary>
internal static class EncodedFrames
{
    public const ushort Channel = 1;
    public const uint FrameMax = 131072;
    public const ushort BasicClassId = 60;

    /// <summary>
    /// <paramref name="count"/> publishes back to back as a client sends them: basic.publish, content header,
    /// one body frame.
    /// </summary>
    public static byte[] Publishes(int count, BasicPublish publish, ReadOnlySpan<byte> rawProperties, ReadOnlySpan<byte> body)
    {
        var output = new ArrayBufferWriter<byte>();
        for (var i = 0; i < count; i++)
        {
            FrameWriter.WriteMethod(output, Channel, publish);
            FrameWriter.WriteContentHeader(output, Channel, BasicClassId, (ulong)body.Length, rawProperties);
            FrameWriter.WriteBody(output, Channel, body, FrameMax);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>A method frame's payload (method id, then arguments): what <see cref="MethodFrameReader.Read"/> takes.</summary>
    public static byte[] MethodPayload<T>(T method)
        where T : struct, IAmqpMethod<T>
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMethod(output, Channel, method);
        return Payload(output.WrittenSpan);
    }

    /// <summary>A content header frame's payload: what <see cref="ContentHeaderReader.Read(ReadOnlySpan{byte}, out ushort, out ulong, out ReadOnlySpan{byte})"/> takes.</summary>
    public static byte[] ContentHeaderPayload(ulong bodySize, ReadOnlySpan<byte> rawProperties)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteContentHeader(output, Channel, BasicClassId, bodySize, rawProperties);
        return Payload(output.WrittenSpan);
    }

    private static byte[] Payload(ReadOnlySpan<byte> frame) => frame[FrameLayout.HeaderSize..^1].ToArray();
}
