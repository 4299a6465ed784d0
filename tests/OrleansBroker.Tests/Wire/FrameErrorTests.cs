using System.Text.RegularExpressions;
using OrleansBroker.Amqp;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// Malformed frames on an open connection. RabbitMQ answers with connection.close (channel 0, class and method 0
/// unless it could decode the offending method) and its texts show the frame type and up to 16 octets of the
/// payload the way Erlang prints a binary. "Fatal" frame errors (bad frame end, frame too large: it has lost
/// sync with the stream) close the socket 3 s later without waiting for close-ok; the others wait for it.
/// </summary>
public sealed partial class FrameErrorTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Bad_frame_end_on_channel_0_gets_501_invalid_frame_end_marker()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        var frame = Frames.ConnectionClose(200, string.Empty);
        frame[^1] = 0x00;
        await connection.SendAsync(frame);
        var close = await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, "FRAME_ERROR - type 1, all octets = <<0,10,0,50,0,200,0,0,0,0,0>>: {invalid_frame_end_marker,", 0, 0, textIsPrefix: true);
        Assert.Equal("FRAME_ERROR - type 1, all octets = <<0,10,0,50,0,200,0,0,0,0,0>>: {invalid_frame_end_marker,0}", Compact(close.ReplyText));
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Bad_frame_end_after_a_long_payload_shows_the_first_16_octets()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        var frame = Frames.QueueDeclare(1, "abcdefghijklmnop", exclusive: true);
        frame[^1] = 0xCF;
        await connection.SendAsync(frame);
        var close = await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, "FRAME_ERROR - type 1, first 16 octets = ", 0, 0, textIsPrefix: true);
        Assert.Equal("FRAME_ERROR - type 1, first 16 octets = <<0,50,0,10,0,0,16,97,98,99,100,101,102,103,104,105>>: {invalid_frame_end_marker,207}", Compact(close.ReplyText));
        await bystander.AssertRoundTripAsync();
    }

    [Theory]
    [InlineData(131072u, 131073u, 131064u)]
    [InlineData(4096u, 4097u, 4088u)]
    [InlineData(131072u, uint.MaxValue, 131064u)]
    public async Task Frame_above_the_negotiated_frame_max_gets_501_frame_too_large(uint frameMax, uint declaredSize, uint reportedLimit)
    {
        // RabbitMQ tolerates a payload of up to frame_max octets (8 more than frame_max allows for a whole frame)
        // and reports the limit as frame_max - 8. It judges the size field alone, before reading the payload.
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { FrameMax = frameMax });
        await connection.OpenChannelAsync(1);
        var payload = new byte[Math.Min(declaredSize, frameMax + 1)];
        await connection.TrySendAsync(Frames.FrameWithDeclaredSize(FrameType.Body, 1, payload, declaredSize));
        await connection.ExpectConnectionErrorAsync(
            ReplyCode.FrameError, $"FRAME_ERROR - type 3, all octets = <<>>: {{frame_too_large,{declaredSize},{reportedLimit}}}", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Theory]
    [InlineData(131072u)]
    [InlineData(4096u)]
    public async Task Body_frame_of_exactly_frame_max_octets_is_accepted_and_redelivered_in_frame_max_minus_8_pieces(uint frameMax)
    {
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { FrameMax = frameMax });
        await connection.OpenChannelAsync(1);
        var (queue, _, _) = await connection.DeclareQueueAsync(1, string.Empty, exclusive: true);
        var body = new byte[frameMax + 100];
        new Random(7).NextBytes(body);
        await connection.SendAsync(Frames.Publish(1, string.Empty, queue, body, maxBodyFrame: (int)frameMax));

        await connection.SendAsync(Frames.BasicGet(1, queue));
        await connection.ExpectMethodAsync(1, 60, 71);
        var (size, _) = await connection.ReadContentHeaderAsync(1);
        Assert.Equal((ulong)body.Length, size);
        var frameSizes = new List<int>();
        Assert.Equal(body, await connection.ReadBodyAsync(1, size, frameSizes));
        Assert.Equal([(int)frameMax - 8, 108], frameSizes);
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    [InlineData((byte)7)]
    [InlineData((byte)9)]
    [InlineData((byte)255)]
    public async Task Unknown_frame_type_gets_501_unknown_frame(byte type)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.Frame(type, 0, "abc"u8));
        await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, $"FRAME_ERROR - type {type}, all octets = <<\"abc\">>: unknown_frame", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Unknown_frame_type_on_an_open_channel_gets_501_unknown_frame()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Frame(5, 1, [1, 2, 3]));
        await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, "FRAME_ERROR - type 5, all octets = <<1,2,3>>: unknown_frame", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Heartbeat_on_a_non_zero_channel_gets_505()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Heartbeat(1));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, "UNEXPECTED_FRAME - type 8, all octets = <<>>", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Heartbeat_with_a_payload_gets_501_unknown_frame()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.Frame(FrameType.Heartbeat, 0, "abc"u8));
        await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, "FRAME_ERROR - type 8, all octets = <<\"abc\">>: unknown_frame", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Method_frame_shorter_than_class_and_method_ids_gets_501_unknown_frame()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Frame(FrameType.Method, 1, [0, 50]));
        await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, "FRAME_ERROR - type 1, all octets = <<0,50>>: unknown_frame", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Content_header_shorter_than_its_fixed_fields_gets_501_unknown_frame()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, "wire-none"), Frames.Frame(FrameType.Header, 1, [0, 60, 0])));
        await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, "FRAME_ERROR - type 2, all octets = <<0,60,0>>: unknown_frame", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    public static TheoryData<string, byte[], string, ushort, ushort> UndecodableArguments => new()
    {
        // RabbitMQ reports an undecodable argument list as 501 (not 502 SYNTAX_ERROR) and prints the arguments.
        { "queue.declare cut inside the name", Frames.Method(1, 50, 10, [0, 0, 5, (byte)'a', (byte)'b']), "FRAME_ERROR - cannot decode <<0,0,5,97,98>>", 50, 10 },
        { "queue.declare without arguments", Frames.Method(1, 50, 10), "FRAME_ERROR - cannot decode <<>>", 50, 10 },
        { "basic.get cut inside the name", Frames.Method(1, 60, 70, [0, 0, 9, (byte)'a', (byte)'b', (byte)'c']), "FRAME_ERROR - cannot decode <<0,0,9,97,98,99>>", 60, 70 },
        {
            "queue.declare with trailing octets",
            Frames.Method(1, 50, 10, new ArgWriter().Short(0).ShortStr(string.Empty).Octet(8).Long(0).Raw("xyz"u8)),
            "FRAME_ERROR - cannot decode <<0,0,0,8,0,0,0,0,120,121,122>>", 50, 10
        },
        {
            "basic.qos cut short",
            Frames.Method(1, 60, 10, new ArgWriter().Long(0).Short(10)),
            "FRAME_ERROR - cannot decode <<0,0,0,0,0,10>>", 60, 10
        },
        {
            "shortstr that is not UTF-8",
            Frames.Method(1, 50, 10, new ArgWriter().Short(0).Octet(2).Raw([0xFF, 0xFE]).Octet(8).Long(0)),
            "FRAME_ERROR - Malformed UTF-8 in shortstr", 0, 0
        },
    };

    [Theory]
    [MemberData(nameof(UndecodableArguments))]
    public async Task Undecodable_method_arguments_get_501(string name, byte[] method, string text, ushort classId, ushort methodId)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(method);
        await connection.ExpectConnectionErrorAsync(ReplyCode.FrameError, text, classId, methodId);
        Assert.NotNull(name);
        await bystander.AssertRoundTripAsync();
    }

    public static TheoryData<string, byte[], ReplyCode> CrashingInput => new()
    {
        { "unknown class 99 on channel 1", Frames.Method(1, 99, 10), ReplyCode.NotImplemented },
        { "unknown method 99 of basic on channel 1", Frames.Method(1, 60, 99), ReplyCode.NotImplemented },
        { "unknown method 99 of connection on channel 0", Frames.Method(0, 10, 99), ReplyCode.NotImplemented },
        { "unknown class 99 on channel 0", Frames.Method(0, 99, 10), ReplyCode.NotImplemented },
        { "class 0 method 0", Frames.Method(1, 0, 0), ReplyCode.NotImplemented },
        {
            "field table with an unknown field type",
            Frames.Method(1, 50, 10, new ArgWriter().Short(0).ShortStr(string.Empty).Octet(8).Long(3).Raw([1, (byte)'a', (byte)'Z'])),
            ReplyCode.FrameError
        },
    };

    /// <summary>
    /// RabbitMQ 3.10's reader crashes on these ({unknown_method_id,{99,10}}, a bad field type) and the TCP
    /// connection just drops, with no connection.close. Our broker may do the same or, better, close properly:
    /// a connection.close, if sent, must carry <paramref name="codeIfClosed"/>.
    /// </summary>
    [Theory]
    [MemberData(nameof(CrashingInput))]
    public async Task Input_that_crashes_RabbitMQs_reader_drops_or_closes_the_connection(string name, byte[] frame, ReplyCode codeIfClosed)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(frame);
        await connection.ExpectDroppedOrClosedAsync(codeIfClosed, name);
        await bystander.AssertRoundTripAsync();
    }

    /// <summary>Erlang's pretty printer breaks long terms over lines; compare without that layout.</summary>
    private static string Compact(string text) => ErlangLineBreak().Replace(text, ",");

    [GeneratedRegex(@",\s*\n\s*")]
    private static partial Regex ErlangLineBreak();
}
