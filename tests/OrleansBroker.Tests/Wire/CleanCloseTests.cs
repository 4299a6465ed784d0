using System.Diagnostics;
using System.Net.Sockets;
using OrleansBroker.Amqp;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// The end of a connection as a client that is still writing sees it. A client can have frames queued when it
/// closes (amqplib sends connection.close and close-ok ahead of publishes it has not written yet) or when the server
/// closes it with an error. Of what came before the close, publishes count; nothing after it does. RabbitMQ reads
/// and discards what arrives after a client's close until the client closes its side, and after an error until
/// close-ok (after a frame error it stops reading and resets 3 s later). Closing a socket with input unread makes
/// TCP answer with a reset (ECONNRESET / EPIPE at the client): our broker drains the input in every case until the
/// client's FIN, or a bound, and ends with a FIN of its own. RabbitMQ ends every connection with a reset (it sets
/// SO_LINGER 0), so against it the end itself is not checked, nor the writes it would reset.
/// </summary>
public sealed class CleanCloseTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const ushort Channel = 1;
    private const int PublishesBeforeClose = 300;

    // After the close the client writes more than Kestrel's read buffer and the socket's buffers hold together
    // on loopback, so a broker that stopped reading would make these writes fail.
    private const int OctetsWrittenAfterClose = 4 * 1024 * 1024;
    private const int OctetsWrittenAfterCloseOk = 16 * 1024 * 1024;

    private static readonly byte[] Body = new byte[1024];

    [Fact]
    public async Task Client_close_after_a_burst_gets_close_ok_while_the_client_keeps_writing_and_ends_cleanly()
    {
        await using var observer = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        var queue = await DeclareQueueAsync(observer);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        var publish = Frames.Publish(Channel, string.Empty, queue, Body);

        await connection.SendAsync(Frames.Concat(Repeat(publish, PublishesBeforeClose), Frames.ConnectionClose(), Repeat(publish, 10)));
        await KeepWritingAsync(connection, publish, OctetsWrittenAfterClose, "after its connection.close");
        var closeOk = await connection.ExpectMethodAsync(0, 10, 51);
        Assert.Equal(4, closeOk.Payload.Length);
        await KeepWritingAsync(connection, publish, OctetsWrittenAfterCloseOk, "after close-ok");

        Assert.True(connection.TryShutdownSend(), $"the socket was gone before the client closed its side ({connection.ClosedBy})");
        await connection.ExpectClosedAsync();
        AssertEndedWithoutReset(connection);
        await AssertQueueHoldsAsync(observer, queue, PublishesBeforeClose);
    }

    [Fact]
    public async Task Connection_error_while_the_client_keeps_writing_gets_close_then_ends_cleanly_after_close_ok()
    {
        await using var observer = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        var queue = await DeclareQueueAsync(observer);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        var publish = Frames.Publish(Channel, string.Empty, queue, Body);

        // queue.declare on channel 0: 504, and the server waits for close-ok, dropping everything else.
        await connection.SendAsync(Frames.Concat(Repeat(publish, PublishesBeforeClose), Frames.QueueDeclare(0, string.Empty), Repeat(publish, 10)));
        await KeepWritingAsync(connection, publish, OctetsWrittenAfterClose, "after the frame that failed the connection");
        var close = await connection.ExpectConnectionCloseAsync();
        Assert.Equal((ushort)ReplyCode.ChannelError, close.ReplyCode);
        Assert.Equal("CHANNEL_ERROR - unexpected method in connection state running", close.ReplyText);
        Assert.Equal(50, close.ClassId);
        Assert.Equal(10, close.MethodId);
        await connection.SendAsync(Frames.ConnectionCloseOk());

        // RabbitMQ closes the socket as soon as close-ok arrives. Ours reads on, because a client's close-ok can
        // overtake frames it queued earlier (amqplib writes channel 0 ahead of the other channels).
        if (!fixture.IsExternal)
        {
            await KeepWritingAsync(connection, publish, OctetsWrittenAfterCloseOk, "after its close-ok");
        }

        connection.TryShutdownSend();
        await connection.ExpectClosedAsync();
        AssertEndedWithoutReset(connection);
        await AssertQueueHoldsAsync(observer, queue, PublishesBeforeClose);
    }

    [Fact]
    public async Task Frame_error_while_the_client_keeps_writing_gets_close_then_ends_cleanly()
    {
        await using var observer = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        var queue = await DeclareQueueAsync(observer);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        var publish = Frames.Publish(Channel, string.Empty, queue, Body);

        // A wrong frame-end octet: 501, and the rest of the stream cannot be read as frames. RabbitMQ stops reading
        // then and resets the socket 3 s later whatever the client does, so against it only what the socket buffers
        // take is written; ours reads on until the client has closed its side.
        var badFrame = Frames.BasicPublish(Channel, string.Empty, queue);
        badFrame[^1] = 0;
        await connection.SendAsync(Frames.Concat(Repeat(publish, PublishesBeforeClose), badFrame, Repeat(publish, 10)));
        await KeepWritingAsync(connection, publish, fixture.IsExternal ? 128 * 1024 : OctetsWrittenAfterClose, "after the frame error");
        var close = await connection.ExpectConnectionCloseAsync();
        Assert.Equal((ushort)ReplyCode.FrameError, close.ReplyCode);
        Assert.StartsWith("FRAME_ERROR - type 1, ", close.ReplyText, StringComparison.Ordinal);
        await connection.SendAsync(Frames.ConnectionCloseOk());
        if (!fixture.IsExternal)
        {
            await KeepWritingAsync(connection, publish, OctetsWrittenAfterCloseOk, "after its close-ok");
        }

        connection.TryShutdownSend();
        await connection.ExpectClosedAsync();
        AssertEndedWithoutReset(connection);
        await AssertQueueHoldsAsync(observer, queue, PublishesBeforeClose);
    }

    [Fact]
    public async Task Client_that_keeps_writing_after_close_ok_and_never_closes_is_disconnected_within_a_bound()
    {
        // With a heartbeat RabbitMQ waits that long for the client to close (30 s without one); ours a few seconds.
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { Heartbeat = 1 });
        await connection.SendAsync(Frames.ConnectionClose());
        await connection.ExpectMethodAsync(0, 10, 51);

        var bound = TimeSpan.FromSeconds(15);
        var watch = Stopwatch.StartNew();
        var chunk = Repeat(Frames.Heartbeat(), 1000);
        while (connection.ClosedBy is null && await connection.TrySendAsync(chunk))
        {
            Assert.True(watch.Elapsed < bound, $"the server still took data {bound.TotalSeconds} s after close-ok");
            await Task.Delay(20);
        }

        // Here the end may be a reset: the client was writing when the bound ran out.
        await connection.WaitClosedAsync(bound - watch.Elapsed + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Exclusive_queues_are_gone_when_close_ok_arrives()
    {
        await using var observer = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        await using var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        var queue = BrokerFixture.UniqueName("wire-close-exclusive");
        await connection.DeclareQueueAsync(Channel, queue, exclusive: true);
        await connection.SendAsync(Frames.ConnectionClose());
        await connection.ExpectMethodAsync(0, 10, 51);

        await observer.SendAsync(Frames.QueueDeclare(Channel, queue, passive: true));
        var close = CloseInfo.Parse(await observer.ExpectMethodAsync(Channel, 20, 40));
        Assert.Equal((ushort)ReplyCode.NotFound, close.ReplyCode);
        Assert.Equal($"NOT_FOUND - no queue '{queue}' in vhost '/'", close.ReplyText);
    }

    private static byte[] Repeat(byte[] frames, int times) => Frames.Concat(Enumerable.Repeat(frames, times).ToArray());

    /// <summary>A named queue the test's publishes go to, seen from another connection.</summary>
    private static async Task<string> DeclareQueueAsync(RawAmqpConnection observer)
    {
        var queue = BrokerFixture.UniqueName("wire-close");
        await observer.DeclareQueueAsync(Channel, queue);
        return queue;
    }

    /// <summary>Writes at least <paramref name="octets"/> more, as a client with that much queued; fails the test if a write fails.</summary>
    private static async Task KeepWritingAsync(RawAmqpConnection connection, byte[] frames, int octets, string when)
    {
        var chunk = Repeat(frames, Math.Max(1, 64 * 1024 / frames.Length));
        var written = 0;
        try
        {
            while (written < octets)
            {
                await connection.SendAsync(chunk);
                written += chunk.Length;
            }
        }
        catch (SocketException e)
        {
            Assert.Fail($"a write of the client {when} failed with {e.SocketErrorCode} after {written} octets: the server closed the socket before the client did");
        }
    }

    /// <summary>The server ended the connection with a FIN after the client's, not a reset (RabbitMQ's linger 0 resets).</summary>
    private void AssertEndedWithoutReset(RawAmqpConnection connection)
    {
        if (!fixture.IsExternal)
        {
            Assert.Equal("EOF", connection.ClosedBy);
        }
    }

    /// <summary>
    /// The queue ends up with exactly the publishes sent before the close (RabbitMQ's queue may take a moment to count
    /// them), then is deleted.
    /// </summary>
    private static async Task AssertQueueHoldsAsync(RawAmqpConnection observer, string queue, uint expected)
    {
        var deadline = DateTime.UtcNow + RawAmqpConnection.ReadTimeout;
        uint messages;
        while (true)
        {
            (_, messages, _) = await observer.DeclareQueueAsync(Channel, queue, passive: true);
            if (messages >= expected || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(expected, messages);
        await observer.SendAsync(Frames.QueueDelete(Channel, queue));
        await observer.ExpectMethodAsync(Channel, 50, 41);
    }
}
