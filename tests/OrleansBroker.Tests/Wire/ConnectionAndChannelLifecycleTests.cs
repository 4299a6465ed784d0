using System.Diagnostics;
using OrleansBroker.Amqp;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>connection.close, channel.open / close and the channel errors around them, on raw frames.</summary>
public sealed class ConnectionAndChannelLifecycleTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Client_connection_close_gets_close_ok_and_pipelined_frames_after_it_are_ignored()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { Heartbeat = 1 });
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Concat(Frames.ConnectionClose(), Frames.ChannelOpen(2), Frames.QueueDeclare(1, string.Empty)));
        var closeOk = await connection.ExpectMethodAsync(0, 10, 51);
        Assert.Equal(4, closeOk.Payload.Length);

        // The client is expected to close the socket now; RabbitMQ closes it itself after the heartbeat interval
        // (or 30 s without heartbeats). Nothing but heartbeats comes first.
        await connection.ExpectClosedAsync(allowHeartbeats: true);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Channel_open_close_and_reopen_the_same_number()
    {
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.ChannelOpen(1));
        var openOk = await connection.ExpectMethodAsync(1, 20, 11);
        var args = openOk.Args();
        Assert.Empty(args.LongStrBytes());
        Assert.Equal(0, args.Remaining);

        await connection.SendAsync(Frames.ChannelClose(1));
        var closeOk = await connection.ExpectMethodAsync(1, 20, 41);
        Assert.Equal(4, closeOk.Payload.Length);

        await connection.OpenChannelAsync(1);
        await connection.OpenChannelAsync(2);
        await connection.DeclareQueueAsync(2, string.Empty, exclusive: true);
    }

    [Fact]
    public async Task Channel_open_on_an_open_channel_gets_504_second_channel_open_seen()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.ChannelOpen(1));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - second 'channel.open' seen", 20, 10);
        await bystander.AssertRoundTripAsync();
    }

    public static TheoryData<string, byte[], ushort, ushort> MethodsOnUnopenedChannel => new()
    {
        { "queue.declare", Frames.QueueDeclare(5, "wire-never"), 50, 10 },
        // A content-bearing method is only judged once its content is complete.
        { "basic.publish with its content", Frames.Publish(5, string.Empty, "wire-never", [1, 2, 3]), 60, 40 },
        { "basic.get", Frames.BasicGet(5, "wire-never"), 60, 70 },
        { "channel.close", Frames.ChannelClose(5), 20, 40 },
        { "channel.close-ok", Frames.ChannelCloseOk(5), 20, 41 },
        { "channel.flow", Frames.ChannelFlow(5, active: true), 20, 20 },
    };

    [Theory]
    [MemberData(nameof(MethodsOnUnopenedChannel))]
    public async Task Method_on_a_channel_never_opened_gets_504_expected_channel_open(string name, byte[] method, ushort classId, ushort methodId)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(method);
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - expected 'channel.open'", classId, methodId);
        Assert.NotNull(name);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Method_on_a_channel_already_closed_gets_504_expected_channel_open()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(3);
        await connection.SendAsync(Frames.ChannelClose(3));
        await connection.ExpectMethodAsync(3, 20, 41);
        await connection.SendAsync(Frames.QueueDeclare(3, string.Empty));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - expected 'channel.open'", 50, 10);
        await bystander.AssertRoundTripAsync();
    }

    [Theory]
    [InlineData((ushort)2048)]
    [InlineData((ushort)65535)]
    public async Task Channel_number_above_channel_max_is_accepted_because_channel_max_limits_the_count(ushort channel)
    {
        // RabbitMQ 3.10 checks channel_max against the number of open channels, not against the channel
        // number: with channel_max 2047 negotiated, channel 2048 and 65535 open fine.
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { ChannelMax = 2047 });
        await connection.OpenChannelAsync(channel);
        await connection.DeclareQueueAsync(channel, string.Empty, exclusive: true);
    }

    [Fact]
    public async Task Opening_more_channels_than_channel_max_gets_530()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { ChannelMax = 2 });
        await connection.OpenChannelAsync(1);
        await connection.OpenChannelAsync(7);
        await connection.SendAsync(Frames.ChannelOpen(3));
        await connection.ExpectConnectionErrorAsync(
            ReplyCode.NotAllowed, "NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Closing_a_channel_frees_its_place_under_channel_max()
    {
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { ChannelMax = 1 });
        for (ushort channel = 1; channel <= 3; channel++)
        {
            await connection.OpenChannelAsync(channel);
            await connection.SendAsync(Frames.ChannelClose(channel));
            await connection.ExpectMethodAsync(channel, 20, 41);
        }
    }

    [Fact]
    public async Task After_a_channel_error_other_methods_are_ignored_until_close_ok_then_the_number_is_reusable()
    {
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.OpenChannelAsync(2);
        await connection.SendAsync(Frames.QueueDeclare(1, FixtureName("missing"), passive: true));
        var close = CloseInfo.Parse(await connection.ExpectMethodAsync(1, 20, 40));
        Assert.Equal((ushort)ReplyCode.NotFound, close.ReplyCode);
        Assert.StartsWith("NOT_FOUND - no queue 'wire-missing-", close.ReplyText, StringComparison.Ordinal);
        Assert.EndsWith("' in vhost '/'", close.ReplyText, StringComparison.Ordinal);
        Assert.Equal(50, close.ClassId);
        Assert.Equal(10, close.MethodId);

        // Until the client's close-ok, RabbitMQ drops what arrives on the closing channel.
        await connection.SendAsync(Frames.Concat(Frames.QueueDeclare(1, string.Empty), Frames.BasicGet(1, "wire-none")));
        await connection.ExpectSilenceAsync(TimeSpan.FromMilliseconds(500));

        // The other channel is unaffected.
        await connection.DeclareQueueAsync(2, string.Empty, exclusive: true);

        await connection.SendAsync(Frames.ChannelCloseOk(1));
        await connection.OpenChannelAsync(1);
        await connection.DeclareQueueAsync(1, string.Empty, exclusive: true);
    }

    [Fact]
    public async Task Channel_open_on_a_channel_the_server_is_closing_gets_504_second_channel_open_seen()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.QueueDeclare(1, FixtureName("missing"), passive: true));
        await connection.ExpectMethodAsync(1, 20, 40);
        await connection.SendAsync(Frames.ChannelOpen(1));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - second 'channel.open' seen", 20, 10);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Server_closes_the_socket_right_after_the_client_answers_its_connection_close_and_closes()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.Heartbeat(1));
        await connection.ExpectConnectionCloseAsync();
        var watch = Stopwatch.StartNew();

        // RabbitMQ closes at close-ok; ours once the client has closed its side too (CleanCloseTests).
        await connection.AnswerCloseAsync();
        await connection.ExpectClosedAsync(timeout: TimeSpan.FromSeconds(5));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Channel_class_method_on_channel_0_gets_504_unexpected_method()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.ChannelOpen(0));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - unexpected method in connection state running", 20, 10);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Queue_method_on_channel_0_gets_504_unexpected_method()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.QueueDeclare(0, string.Empty));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - unexpected method in connection state running", 50, 10);
        await bystander.AssertRoundTripAsync();
    }

    private static string FixtureName(string prefix) => BrokerFixture.UniqueName($"wire-{prefix}");
}
