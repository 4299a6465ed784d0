using System.Buffers;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;
using static OrleansBroker.Tests.Protocol.WireBytes;

namespace OrleansBroker.Tests.Protocol;

public sealed class FrameReaderTests
{
    private static readonly byte[] BasicQosFrame = Concat([1], Short(3), Long(11), Short(60), Short(10), Long(0), Short(10), [1], [0xCE]);

    private static readonly byte[] BodyFrame = Concat([3], Short(3), Long(5), "hello"u8.ToArray(), [0xCE]);

    private static readonly byte[] HeartbeatFrame = [8, 0, 0, 0, 0, 0, 0, 0xCE];

    [Fact]
    public void Reads_one_frame_and_advances_past_it()
    {
        var buffer = new ReadOnlySequence<byte>(Concat(BasicQosFrame, BodyFrame, [1, 0]));

        Assert.True(FrameReader.TryReadFrame(ref buffer, 131072, out var frame));
        Assert.Equal(FrameType.Method, frame.Type);
        Assert.Equal(3, frame.Channel);
        Assert.Equal(BasicQosFrame[7..^1], frame.Payload.ToArray());

        Assert.True(FrameReader.TryReadFrame(ref buffer, 131072, out frame));
        Assert.Equal(FrameType.Body, frame.Type);
        Assert.Equal("hello"u8.ToArray(), frame.Payload.ToArray());

        Assert.False(FrameReader.TryReadFrame(ref buffer, 131072, out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void Heartbeats_have_an_empty_payload()
    {
        var buffer = new ReadOnlySequence<byte>(HeartbeatFrame);
        Assert.True(FrameReader.TryReadFrame(ref buffer, 0, out var frame));
        Assert.Equal(FrameType.Heartbeat, frame.Type);
        Assert.Equal(0, frame.Channel);
        Assert.True(frame.Payload.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void An_incomplete_frame_needs_more_input_and_leaves_the_buffer_alone()
    {
        for (var length = 0; length < BasicQosFrame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(BasicQosFrame[..length]);
            Assert.False(FrameReader.TryReadFrame(ref buffer, 131072, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void Frames_split_across_segments_at_every_position_read_the_same()
    {
        var bytes = Concat(BasicQosFrame, BodyFrame, HeartbeatFrame);
        for (var first = 0; first <= bytes.Length; first++)
        {
            for (var second = first; second <= bytes.Length; second += 3)
            {
                var buffer = SegmentedSequence.Split(bytes, first, second);
                Assert.True(FrameReader.TryReadFrame(ref buffer, 4096, out var qos));
                Assert.Equal(BasicQosFrame[7..^1], qos.Payload.ToArray());
                Assert.True(FrameReader.TryReadFrame(ref buffer, 4096, out var body));
                Assert.Equal((FrameType.Body, (ushort)3), (body.Type, body.Channel));
                Assert.Equal("hello"u8.ToArray(), body.Payload.ToArray());
                Assert.True(FrameReader.TryReadFrame(ref buffer, 4096, out var heartbeat));
                Assert.Equal(FrameType.Heartbeat, heartbeat.Type);
                Assert.True(buffer.IsEmpty);
            }
        }
    }

    [Fact]
    public void A_frame_arriving_one_octet_per_segment_reads_whole()
    {
        var buffer = SegmentedSequence.Create(BodyFrame.Select(b => new[] { b }).ToArray());
        Assert.True(FrameReader.TryReadFrame(ref buffer, 4096, out var frame));
        Assert.Equal("hello"u8.ToArray(), frame.Payload.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void A_bad_frame_end_is_a_frame_error_in_RabbitMQs_words()
    {
        var bytes = BodyFrame.ToArray();
        bytes[^1] = 0xFF;
        var exception = ReadFails(bytes, 4096);

        Assert.Equal(ReplyCode.FrameError, exception.Code);
        Assert.Equal(3, exception.Channel);
        Assert.Equal("FRAME_ERROR - type 3, all octets = <<\"hello\">>: {invalid_frame_end_marker,255}", exception.ReplyText);
    }

    [Fact]
    public void A_bad_frame_end_after_a_long_payload_shows_its_first_16_octets()
    {
        var payload = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        var exception = ReadFails(Concat([3], Short(1), Long(20), payload, [0]), 4096);

        Assert.Equal(
            "FRAME_ERROR - type 3, first 16 octets = <<0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15>>: {invalid_frame_end_marker,0}",
            exception.ReplyText);
    }

    [Fact]
    public void A_frame_larger_than_frame_max_is_refused_as_soon_as_its_header_is_in()
    {
        // rabbit_reader lets a payload of up to frame_max octets through (8 octets of slack), not one more.
        var header = Concat([3], Short(1), Long(4097));
        var exception = ReadFails(header, 4096);

        Assert.Equal(ReplyCode.FrameError, exception.Code);
        Assert.Equal("FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,4097,4088}", exception.ReplyText);

        var atLimit = new ReadOnlySequence<byte>(Concat([3], Short(1), Long(4096), new byte[4096], [0xCE]));
        Assert.True(FrameReader.TryReadFrame(ref atLimit, 4096, out var frame));
        Assert.Equal(4096, frame.Payload.Length);
    }

    [Fact]
    public void Frame_max_zero_means_no_limit()
    {
        var buffer = new ReadOnlySequence<byte>(Concat([3], Short(1), Long(200_000), new byte[200_000], [0xCE]));
        Assert.True(FrameReader.TryReadFrame(ref buffer, 0, out var frame));
        Assert.Equal(200_000, frame.Payload.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(65)]
    public void Unknown_frame_types_are_frame_errors(byte type)
    {
        var exception = ReadFails(Concat([type], Short(0), Long(2), [1, 2], [0xCE]), 4096);

        Assert.Equal(ReplyCode.FrameError, exception.Code);
        Assert.Equal($"FRAME_ERROR - type {type}, all octets = <<1,2>>: unknown_frame", exception.ReplyText);
    }

    [Fact]
    public void Frames_too_short_for_their_type_are_unknown_frames_as_in_RabbitMQ()
    {
        Assert.Equal("FRAME_ERROR - type 8, all octets = <<0>>: unknown_frame", ReadFails(Concat([8], Short(0), Long(1), [0], [0xCE]), 4096).ReplyText);
        Assert.Equal("FRAME_ERROR - type 1, all octets = <<0,60,0>>: unknown_frame", ReadFails(Concat([1], Short(1), Long(3), [0, 60, 0], [0xCE]), 4096).ReplyText);
        Assert.Equal(ReplyCode.FrameError, ReadFails(Concat([2], Short(1), Long(11), new byte[11], [0xCE]), 4096).Code);
    }

    [Fact]
    public void Arguments_that_do_not_decode_are_reported_as_RabbitMQ_reports_them()
    {
        var exception = AmqpFrameException.CannotDecode(1, AmqpMethodIds.BasicPublish, [0, 0, 3]);
        Assert.Equal("FRAME_ERROR - cannot decode <<0,0,3>>", exception.ReplyText);
        Assert.Equal(AmqpMethodIds.BasicPublish, exception.MethodId);

        // Past 255 octets the text is cut to 252 and "...", as rabbit_binary_generator does.
        var longArguments = AmqpFrameException.CannotDecode(1, AmqpMethodIds.BasicPublish, new byte[1000]);
        var expected = ("FRAME_ERROR - cannot decode <<" + string.Join(",", Enumerable.Repeat("0", 1000)))[..252] + "...";
        Assert.Equal(expected, longArguments.ReplyText);
    }

    [Fact]
    public void Reply_texts_are_cut_at_a_character_boundary()
    {
        var text = new string('a', 251) + "ééé"; // 257 octets; an é would end at octet 253
        Assert.Equal(new string('a', 251) + "...", ReplyCodeText.Truncate(text));
        Assert.Equal("short", ReplyCodeText.Truncate("short"));
    }

    private static AmqpFrameException ReadFails(byte[] bytes, uint frameMax)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        try
        {
            FrameReader.TryReadFrame(ref buffer, frameMax, out _);
        }
        catch (AmqpFrameException exception)
        {
            return exception;
        }

        Assert.Fail("no AmqpFrameException");
        return null!;
    }
}
