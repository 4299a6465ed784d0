using System.Text;
using OrleansBroker.Amqp;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// Content (header and body frames) out of place. Each channel assembles method, header and body; RabbitMQ
/// reports a frame that does not fit as a connection-level 505 UNEXPECTED_FRAME naming the method being
/// assembled (basic.publish, 60.40) when there is one, else class and method 0.
/// </summary>
public sealed class ContentFrameTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const string ExpectedMethod = "UNEXPECTED_FRAME - expected method frame, got non method frame instead";
    private const string ExpectedHeader = "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead";
    private const string ExpectedBody = "UNEXPECTED_FRAME - expected content body, got non content body frame instead";

    [Fact]
    public async Task Content_header_without_a_publish_gets_505_expected_method_frame()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.SendAsync(Frames.ContentHeader(1, 5));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedMethod, 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Body_without_a_publish_gets_505_expected_method_frame()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.SendAsync(Frames.Body(1, "abc"u8));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedMethod, 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Theory]
    [InlineData(FrameType.Header)]
    [InlineData(FrameType.Body)]
    public async Task Content_frame_on_a_channel_never_opened_gets_505_expected_method_frame(byte type)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        var frame = type == FrameType.Header ? Frames.ContentHeader(9, 3) : Frames.Body(9, "abc"u8);
        await connection.SendAsync(frame);
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedMethod, 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Body_right_after_the_publish_gets_505_expected_content_header()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, "wire-none"), Frames.Body(1, "abc"u8)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedHeader, 60, 40);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Method_right_after_the_publish_gets_505_expected_content_header()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, "wire-none"), Frames.BasicPublish(1, string.Empty, "wire-none")));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedHeader, 60, 40);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Heartbeat_inside_content_is_allowed()
    {
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        var (queue, _, _) = await connection.DeclareQueueAsync(1, string.Empty, exclusive: true);
        await connection.SendAsync(Frames.Concat(
            Frames.BasicPublish(1, string.Empty, queue), Frames.Heartbeat(), Frames.ContentHeader(1, 6), Frames.Heartbeat(),
            Frames.Body(1, "abc"u8), Frames.Heartbeat(), Frames.Body(1, "def"u8)));
        Assert.Equal("abcdef"u8.ToArray(), await connection.GetAsync(1, queue));
    }

    [Fact]
    public async Task Method_in_the_middle_of_the_body_gets_505_expected_content_body()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.SendAsync(Frames.Concat(
            Frames.BasicPublish(1, string.Empty, "wire-none"), Frames.ContentHeader(1, 10), Frames.Body(1, "abc"u8), Frames.BasicGet(1, "wire-none")));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedBody, 60, 40);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Content_header_of_another_class_gets_505()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, "wire-none"), Frames.ContentHeader(1, 3, classId: 50)));
        await connection.ExpectConnectionErrorAsync(
            ReplyCode.UnexpectedFrame, "UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead", 60, 40);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Second_content_header_gets_505_expected_content_body()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, "wire-none"), Frames.ContentHeader(1, 3), Frames.ContentHeader(1, 3)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedBody, 60, 40);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Body_larger_than_the_header_announced_is_never_published()
    {
        // RabbitMQ 3.10 keeps waiting for "more" body (its remaining size went negative) and only complains when
        // the next method arrives: 505 expected content body, naming basic.publish. The message never reaches
        // the queue. (Our broker may complain as soon as the body overflows; code and ids must be the same.)
        await using var bystander = await RawAmqpConnection.OpenAsync(fixture);
        await bystander.OpenChannelAsync(1);
        var queue = BrokerFixture.UniqueName("wire-oversize");
        await bystander.DeclareQueueAsync(1, queue);
        try
        {
            await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
            await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, queue), Frames.ContentHeader(1, 3), Frames.Body(1, "abcdef"u8)));
            await connection.TrySendAsync(Frames.BasicGet(1, queue));
            var close = await connection.ExpectConnectionCloseAsync();
            Assert.Equal((ushort)ReplyCode.UnexpectedFrame, close.ReplyCode);
            Assert.StartsWith("UNEXPECTED_FRAME - ", close.ReplyText, StringComparison.Ordinal);
            Assert.Equal(60, close.ClassId);
            Assert.Equal(40, close.MethodId);
            await connection.AnswerCloseAsync();
            await connection.ExpectClosedAsync(allowHeartbeats: true);

            var (_, messages, _) = await bystander.DeclareQueueAsync(1, queue, passive: true);
            Assert.Equal(0u, messages);
            Assert.Null(await bystander.GetAsync(1, queue));
        }
        finally
        {
            await bystander.SendAsync(Frames.QueueDelete(1, queue));
            await bystander.ExpectMethodAsync(1, 50, 41);
            await bystander.DisposeAsync();
        }
    }

    [Fact]
    public async Task Content_frame_on_another_open_channel_gets_505_expected_method_frame()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.OpenChannelAsync(2);
        await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, "wire-none"), Frames.ContentHeader(1, 3), Frames.Body(2, "abc"u8)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, ExpectedMethod, 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Content_of_two_channels_may_interleave()
    {
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        await connection.OpenChannelAsync(2);
        var (queue, _, _) = await connection.DeclareQueueAsync(1, string.Empty, exclusive: true);
        await connection.SendAsync(Frames.Concat(
            Frames.BasicPublish(1, string.Empty, queue), Frames.ContentHeader(1, 3),
            Frames.BasicPublish(2, string.Empty, queue), Frames.ContentHeader(2, 3), Frames.Body(2, "two"u8),
            Frames.Body(1, "one"u8)));
        var first = await connection.GetAsync(1, queue);
        var second = await connection.GetAsync(1, queue);
        Assert.Equal(["one", "two"], new[] { first!, second! }.Select(b => Encoding.ASCII.GetString(b)).Order());
    }

    [Fact]
    public async Task Empty_body_is_one_header_and_no_body_frame_both_ways()
    {
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        var (queue, _, _) = await connection.DeclareQueueAsync(1, string.Empty, exclusive: true);
        await connection.SendAsync(Frames.Concat(Frames.BasicPublish(1, string.Empty, queue), Frames.ContentHeader(1, 0)));
        await connection.SendAsync(Frames.BasicGet(1, queue));
        var getOk = await connection.ExpectMethodAsync(1, 60, 71);
        var args = getOk.Args();
        Assert.Equal(1ul, args.LongLong());
        Assert.False(args.Bit());
        Assert.Equal(string.Empty, args.ShortStr());
        Assert.Equal(queue, args.ShortStr());
        Assert.Equal(0u, args.Long());
        var (size, header) = await connection.ReadContentHeaderAsync(1);
        Assert.Equal(0ul, size);
        Assert.Equal(14, header.Payload.Length);

        // Nothing else: the next frame is the answer to the next command.
        await connection.SendAsync(Frames.BasicGet(1, queue));
        await connection.ExpectMethodAsync(1, 60, 72);
    }

    [Fact]
    public async Task Empty_body_frames_inside_content_are_accepted()
    {
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture);
        var (queue, _, _) = await connection.DeclareQueueAsync(1, string.Empty, exclusive: true);
        await connection.SendAsync(Frames.Concat(
            Frames.BasicPublish(1, string.Empty, queue), Frames.ContentHeader(1, 3), Frames.Body(1, []), Frames.Body(1, "abc"u8)));
        Assert.Equal("abc"u8.ToArray(), await connection.GetAsync(1, queue));
    }
}
