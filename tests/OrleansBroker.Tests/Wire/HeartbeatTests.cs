using System.Diagnostics;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// Heartbeats as negotiated in tune-ok. RabbitMQ sends a heartbeat frame every half interval when it has sent
/// nothing else, and closes the socket (no connection.close, as the spec says for a dead peer) once it has heard
/// nothing from the client for about two intervals.
/// </summary>
public sealed class HeartbeatTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Heartbeat_of_1_s_sends_heartbeat_frames_and_a_chatty_client_stays_connected()
    {
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { Heartbeat = 1 });
        var heartbeats = 0;
        var watch = Stopwatch.StartNew();
        var nextBeat = TimeSpan.Zero;
        while (watch.Elapsed < TimeSpan.FromSeconds(4))
        {
            if (watch.Elapsed >= nextBeat)
            {
                await connection.SendAsync(Frames.Heartbeat());
                nextBeat = watch.Elapsed + TimeSpan.FromMilliseconds(300);
            }

            try
            {
                var frame = await connection.ReadFrameAsync(TimeSpan.FromMilliseconds(300));
                Assert.True(frame.IsHeartbeat, $"expected only heartbeats, got {frame}");
                Assert.Equal(0, frame.Channel);
                Assert.Empty(frame.Payload);
                heartbeats++;
            }
            catch (TimeoutException)
            {
            }
        }

        Assert.InRange(heartbeats, 2, 40);

        // Still usable.
        await connection.OpenChannelAsync(1);
    }

    [Fact]
    public async Task Heartbeat_of_1_s_and_a_silent_client_is_disconnected_without_connection_close()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { Heartbeat = 1 });
        var watch = Stopwatch.StartNew();
        var received = await connection.WaitClosedAsync(TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), $"closed after only {watch.Elapsed}");
        var frames = RawAmqpConnection.SplitFrames(received).ToList();
        Assert.NotEmpty(frames);
        Assert.All(frames, f => Assert.True(f.IsHeartbeat && f.Channel == 0, $"expected only heartbeats, got {RawAmqpConnection.DescribeFrames(received)}"));
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Heartbeat_0_means_no_heartbeats_and_no_timeout()
    {
        await using var connection = await RawAmqpConnection.OpenAsync(fixture, new HandshakeOptions { Heartbeat = 0 });
        var frames = new List<Frame>();
        try
        {
            while (true)
            {
                frames.Add(await connection.ReadFrameAsync(TimeSpan.FromSeconds(3)));
            }
        }
        catch (TimeoutException)
        {
        }

        Assert.Empty(frames);
        await connection.OpenChannelAsync(1);
    }

    [Fact]
    public async Task Client_heartbeats_during_the_handshake_are_accepted()
    {
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Frames.ProtocolHeader);
        await connection.ExpectMethodAsync(0, 10, 10);
        await connection.SendAsync(Frames.Concat(Frames.Heartbeat(), Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest"))));
        await connection.ExpectMethodAsync(0, 10, 30);
        await connection.SendAsync(Frames.Concat(Frames.Heartbeat(), Frames.TuneOk(2047, 131072, 0), Frames.Heartbeat(), Frames.ConnectionOpen("/"), Frames.Heartbeat()));
        await connection.ExpectMethodAsync(0, 10, 41);
        await connection.OpenChannelAsync(1);
    }
}
