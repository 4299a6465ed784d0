using OrleansBroker.Amqp;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// Methods only a server sends, sent by the client, with well-formed arguments. RabbitMQ answers a channel-class
/// method it does not take with 503 COMMAND_INVALID "unimplemented method", and a connection-class method after
/// the handshake with 504 CHANNEL_ERROR "unexpected method in connection state running"; both connection-level.
/// </summary>
public sealed class WrongDirectionMethodTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    public static TheoryData<string, ushort, ushort, byte[]> ServerOnlyChannelMethods => new()
    {
        { "channel.open-ok", 20, 11, new ArgWriter().LongStr(string.Empty).ToArray() },
        { "channel.flow-ok", 20, 21, new ArgWriter().Bit(true).ToArray() },
        { "exchange.declare-ok", 40, 11, [] },
        { "exchange.delete-ok", 40, 21, [] },
        { "exchange.bind-ok", 40, 31, [] },
        { "exchange.unbind-ok", 40, 51, [] },
        { "queue.declare-ok", 50, 11, new ArgWriter().ShortStr("q").Long(0).Long(0).ToArray() },
        { "queue.bind-ok", 50, 21, [] },
        { "queue.purge-ok", 50, 31, new ArgWriter().Long(0).ToArray() },
        { "queue.delete-ok", 50, 41, new ArgWriter().Long(0).ToArray() },
        { "queue.unbind-ok", 50, 51, [] },
        { "basic.qos-ok", 60, 11, [] },
        { "basic.consume-ok", 60, 21, new ArgWriter().ShortStr("ctag").ToArray() },
        { "basic.cancel-ok", 60, 31, new ArgWriter().ShortStr("ctag").ToArray() },
        { "basic.get-empty", 60, 72, new ArgWriter().ShortStr(string.Empty).ToArray() },
        { "basic.recover-ok", 60, 111, [] },
        { "confirm.select-ok", 85, 11, [] },
        { "tx.select-ok", 90, 11, [] },
        { "tx.commit-ok", 90, 21, [] },
        { "tx.rollback-ok", 90, 31, [] },
        { "connection.tune on channel 1", 10, 30, new ArgWriter().Short(1).Long(4096).Short(0).ToArray() },
    };

    [Theory]
    [MemberData(nameof(ServerOnlyChannelMethods))]
    public async Task Server_only_method_on_a_channel_gets_503_unimplemented_method(string name, ushort classId, ushort methodId, byte[] args)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Method(1, classId, methodId, args));
        await connection.ExpectConnectionErrorAsync(ReplyCode.CommandInvalid, "COMMAND_INVALID - unimplemented method", classId, methodId);
        Assert.NotNull(name);
        await bystander.AssertRoundTripAsync();
    }

    public static TheoryData<string, ushort, ushort, byte[]> ServerOnlyContentMethods => new()
    {
        {
            "basic.deliver", 60, 60,
            new ArgWriter().ShortStr("ctag").LongLong(1).Bit(false).ShortStr(string.Empty).ShortStr("q").ToArray()
        },
        {
            "basic.get-ok", 60, 71,
            new ArgWriter().LongLong(1).Bit(false).ShortStr(string.Empty).ShortStr("q").Long(0).ToArray()
        },
        {
            "basic.return", 60, 50,
            new ArgWriter().Short(312).ShortStr("NO_ROUTE").ShortStr(string.Empty).ShortStr("q").ToArray()
        },
    };

    /// <summary>These carry content, so RabbitMQ assembles header and body first and then refuses the method.</summary>
    [Theory]
    [MemberData(nameof(ServerOnlyContentMethods))]
    public async Task Server_only_content_method_gets_503_once_its_content_is_complete(string name, ushort classId, ushort methodId, byte[] args)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Concat(Frames.Method(1, classId, methodId, args), Frames.ContentHeader(1, 1), Frames.Body(1, "x"u8)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.CommandInvalid, "COMMAND_INVALID - unimplemented method", classId, methodId);
        Assert.NotNull(name);
        await bystander.AssertRoundTripAsync();
    }

    public static TheoryData<string, ushort, ushort, byte[]> ConnectionMethodsAfterOpen => new()
    {
        { "connection.start", 10, 10, new ArgWriter().Octet(0).Octet(9).Table(new Dictionary<string, object?>()).LongStr("PLAIN").LongStr("en_US").ToArray() },
        { "connection.start-ok", 10, 11, new ArgWriter().Table(new Dictionary<string, object?>()).ShortStr("PLAIN").LongStr(Frames.PlainResponse("guest", "guest")).ShortStr("en_US").ToArray() },
        { "connection.secure", 10, 20, new ArgWriter().LongStr(string.Empty).ToArray() },
        { "connection.secure-ok", 10, 21, new ArgWriter().LongStr(string.Empty).ToArray() },
        { "connection.tune", 10, 30, new ArgWriter().Short(2047).Long(131072).Short(60).ToArray() },
        { "connection.open-ok", 10, 41, new ArgWriter().ShortStr(string.Empty).ToArray() },
        { "connection.close-ok (unsolicited)", 10, 51, [] },
        { "connection.blocked", 10, 60, new ArgWriter().ShortStr("low on memory").ToArray() },
        { "connection.unblocked", 10, 61, [] },
    };

    [Theory]
    [MemberData(nameof(ConnectionMethodsAfterOpen))]
    public async Task Connection_method_after_the_handshake_gets_504_unexpected_method(string name, ushort classId, ushort methodId, byte[] args)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.Method(0, classId, methodId, args));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - unexpected method in connection state running", classId, methodId);
        Assert.NotNull(name);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Channel_flow_with_active_false_gets_540_not_implemented()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Method(1, 20, 20, new ArgWriter().Bit(false)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.NotImplemented, "NOT_IMPLEMENTED - active=false", 20, 20);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Channel_flow_with_active_true_gets_flow_ok()
    {
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Method(1, 20, 20, new ArgWriter().Bit(true)));
        var flowOk = await connection.ExpectMethodAsync(1, 20, 21);
        Assert.True(flowOk.Args().Bit());
    }

    [Fact]
    public async Task Basic_recover_async_without_requeue_gets_540_not_implemented()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.OpenChannelAsync(1);
        await connection.SendAsync(Frames.Method(1, 60, 100, new ArgWriter().Bit(false)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.NotImplemented, "NOT_IMPLEMENTED - requeue=false", 60, 100);
        await bystander.AssertRoundTripAsync();
    }
}
