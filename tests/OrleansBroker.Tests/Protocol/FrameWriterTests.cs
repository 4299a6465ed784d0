using System.Buffers;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;
using static OrleansBroker.Tests.Protocol.WireBytes;

namespace OrleansBroker.Tests.Protocol;

public sealed class FrameWriterTests
{
    [Fact]
    public void Protocol_header_and_heartbeat_bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteProtocolHeader(output);
        FrameWriter.WriteHeartbeat(output);

        Assert.Equal(new byte[] { (byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 0, 9, 1, 8, 0, 0, 0, 0, 0, 0, 0xCE }, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Basic_deliver_is_written_as_the_spec_lays_it_out()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMethod(output, 2, new BasicDeliver("ctag", 42, Redelivered: true, "amq.direct", "rk"));

        var arguments = Concat(ShortString("ctag"), LongLong(42), [1], ShortString("amq.direct"), ShortString("rk"));
        Assert.Equal(Concat([1], Short(2), Long((uint)(4 + arguments.Length)), Short(60), Short(60), arguments, [0xCE]), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Content_header_has_weight_zero_and_the_raw_properties()
    {
        var properties = BasicPropertiesWriter.ToArray(new MessageProperties { DeliveryMode = 2 });
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteContentHeader(output, 5, 60, 1_000_000, properties);

        var payload = Concat(Short(60), Short(0), LongLong(1_000_000), properties);
        Assert.Equal(Concat([2], Short(5), Long((uint)payload.Length), payload, [0xCE]), output.WrittenSpan.ToArray());

        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(FrameReader.TryReadFrame(ref buffer, 4096, out var frame));
        ContentHeaderReader.Read(frame.Payload.ToArray(), out var classId, out var weight, out var bodySize, out var raw);
        Assert.Equal((60, 0, 1_000_000UL), (classId, weight, bodySize));
        Assert.Equal(properties, raw.ToArray());
    }

    [Fact]
    public void Truncated_content_headers_throw_AmqpFormatException()
    {
        var payload = Concat(Short(60), Short(0), LongLong(5), Short(0));
        ContentHeaderReader.Read(payload, out var classId, out var bodySize, out var raw);
        Assert.Equal((60, 5UL, 2), (classId, bodySize, raw.Length));
        for (var length = 0; length < 12; length++)
        {
            var prefix = payload[..length];
            Assert.Throws<AmqpFormatException>(() => ContentHeaderReader.Read(prefix, out _, out _, out _));
        }
    }

    [Theory]
    [InlineData(10_000, 4096u, new[] { 4088, 4088, 1824 })]
    [InlineData(4088, 4096u, new[] { 4088 })]
    [InlineData(4089, 4096u, new[] { 4088, 1 })]
    [InlineData(1, 4096u, new[] { 1 })]
    [InlineData(300_000, 0u, new[] { 300_000 })]
    [InlineData(5, 9u, new[] { 1, 1, 1, 1, 1 })]
    public void Bodies_split_into_frames_of_at_most_frame_max_minus_8(int bodySize, uint frameMax, int[] frameSizes)
    {
        var body = Enumerable.Range(0, bodySize).Select(i => (byte)(i * 7)).ToArray();
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteBody(output, 9, body, frameMax);

        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        var reassembled = new List<byte>();
        var sizes = new List<int>();
        while (FrameReader.TryReadFrame(ref buffer, frameMax, out var frame))
        {
            Assert.Equal((FrameType.Body, (ushort)9), (frame.Type, frame.Channel));
            sizes.Add((int)frame.Payload.Length);
            reassembled.AddRange(frame.Payload.ToArray());
        }

        Assert.True(buffer.IsEmpty);
        Assert.Equal(frameSizes, sizes);
        Assert.Equal(body, reassembled);
    }

    [Fact]
    public void An_empty_body_writes_no_frames()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteBody(output, 1, ReadOnlySpan<byte>.Empty, 4096);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void A_frame_max_with_no_room_for_a_body_octet_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.WriteBody(new ArrayBufferWriter<byte>(), 1, new byte[1], 8));
    }

    [Fact]
    public void Erlang_binaries_print_as_RabbitMQ_prints_them()
    {
        Assert.Equal("<<>>", ErlangTerms.PrettyBinary([]));
        Assert.Equal("<<\"a\\\"b\\n\">>", ErlangTerms.PrettyBinary("a\"b\n"u8));
        Assert.Equal("<<0,255>>", ErlangTerms.PrettyBinary([0, 255]));
        Assert.Equal("<<97,98>>", ErlangTerms.NumericBinary("ab"u8));
    }
}
