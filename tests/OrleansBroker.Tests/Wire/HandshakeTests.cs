using System.Text;
using OrleansBroker.Amqp;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// Protocol header, connection.start / start-ok / tune / tune-ok / open, as RabbitMQ 3.10 answers them.
/// Before connection.open-ok RabbitMQ does not trust the client: apart from authentication failures (with the
/// authentication_failure_close capability) it closes the socket without an AMQP reply (after a 3 s delay).
/// </summary>
public sealed class HandshakeTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly byte[] Amqp0091 = Frames.ProtocolHeader;

    public static TheoryData<string, byte[]> BadHeaders => new()
    {
        { "AMQP 0-10", [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 0, 10, 0] },
        { "AMQP 0-9-2", [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 0, 9, 2] },
        { "AMQP 0-8 as 0 0 8 0", [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 0, 8, 0] },
        { "AMQP 1.0", [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 1, 0, 0] },
        { "AMQP 1.0 SASL", [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 3, 1, 0, 0] },
        { "AMQX", [(byte)'A', (byte)'M', (byte)'Q', (byte)'X', 0, 0, 9, 1] },
        { "HTTP/1.1", Encoding.ASCII.GetBytes("HTTP/1.1") },
        { "HTTP request", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") },
        { "zeros", new byte[8] },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public async Task Unsupported_protocol_header_gets_AMQP_0_9_1_header_then_close(string name, byte[] header)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(header);

        var received = await connection.WaitClosedAsync();
        Assert.True(received.AsSpan().SequenceEqual(Amqp0091), $"{name}: expected exactly 'AMQP' 0 0 9 1, got {RawAmqpConnection.Hex(received)}");
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task AMQP_0_9_header_is_accepted_as_0_9_1_and_start_says_0_9()
    {
        // RabbitMQ treats the old 0-9 header ("AMQP" 1 1 0 9) as 0-9-1.
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync([(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 1, 1, 0, 9]);
        var start = await connection.ExpectMethodAsync(0, 10, 10);
        var args = start.Args();
        Assert.Equal(0, args.Octet());
        Assert.Equal(9, args.Octet());
    }

    [Fact]
    public async Task Protocol_header_split_across_segments_is_accepted()
    {
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Amqp0091[..2]);
        await Task.Delay(100);
        await connection.SendAsync(Amqp0091[2..5]);
        await Task.Delay(100);
        await connection.SendAsync(Amqp0091[5..]);
        await connection.ExpectMethodAsync(0, 10, 10);
    }

    [Fact]
    public async Task Connection_start_announces_version_properties_mechanisms_and_locales()
    {
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Amqp0091);
        var start = await connection.ExpectMethodAsync(0, 10, 10);
        var args = start.Args();

        Assert.Equal(0, args.Octet());
        Assert.Equal(9, args.Octet());
        var properties = args.Table();
        var mechanisms = args.LongStr().Split(' ');
        var locales = args.LongStr().Split(' ');
        Assert.Equal(0, args.Remaining);

        Assert.Contains("PLAIN", mechanisms);
        Assert.Contains("AMQPLAIN", mechanisms);
        Assert.Contains("en_US", locales);

        foreach (var key in new[] { "product", "version", "platform" })
        {
            Assert.True(properties.TryGetValue(key, out var value) && value is byte[] { Length: > 0 }, $"server-properties.{key} is missing or empty");
        }

        Assert.True(properties.TryGetValue("capabilities", out var caps) && caps is Dictionary<string, object?>, "server-properties.capabilities is not a table");
        var capabilities = (Dictionary<string, object?>)caps!;
        foreach (var capability in new[]
                 {
                     "publisher_confirms", "exchange_exchange_bindings", "basic.nack", "consumer_cancel_notify",
                     "connection.blocked", "authentication_failure_close", "per_consumer_qos",
                 })
        {
            Assert.True(capabilities.TryGetValue(capability, out var value) && value is true, $"capability {capability} is not true");
        }
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("AMQPLAIN")]
    public async Task Start_ok_then_tune_proposes_2047_channels_131072_octets_60_s_heartbeat(string mechanism)
    {
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        var (_, tune) = await Handshake.RunAsync(connection, new HandshakeOptions { Mechanism = mechanism });
        Assert.Equal(new TuneInfo(2047, 131072, 60), tune);
        await connection.OpenChannelAsync(1);
    }

    [Fact]
    public async Task Connection_open_ok_carries_an_empty_known_hosts()
    {
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Amqp0091);
        await connection.ExpectMethodAsync(0, 10, 10);
        await connection.SendAsync(Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest")));
        await connection.ExpectMethodAsync(0, 10, 30);
        await connection.SendAsync(Frames.Concat(Frames.TuneOk(2047, 131072, 0), Frames.ConnectionOpen("/")));
        var openOk = await connection.ExpectMethodAsync(0, 10, 41);
        var args = openOk.Args();
        Assert.Equal(string.Empty, args.ShortStr());
        Assert.Equal(0, args.Remaining);
    }

    [Theory]
    [InlineData("PLAIN", "guest", "wrong-password")]
    [InlineData("PLAIN", "no-such-user-wire", "guest")]
    [InlineData("AMQPLAIN", "guest", "wrong-password")]
    public async Task Bad_credentials_with_authentication_failure_close_get_403_then_close(string mechanism, string user, string password)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Amqp0091);
        await connection.ExpectMethodAsync(0, 10, 10);
        var response = mechanism == "PLAIN" ? Frames.PlainResponse(user, password) : Frames.AmqPlainResponse(user, password);
        await connection.SendAsync(Frames.StartOk(mechanism, response, Frames.ClientProperties(authenticationFailureClose: true)));

        // The same text for a wrong password and an unknown user: nothing tells which one was wrong.
        var close = await connection.ExpectConnectionCloseAsync();
        Assert.Equal((ushort)ReplyCode.AccessRefused, close.ReplyCode);
        Assert.Equal($"ACCESS_REFUSED - Login was refused using authentication mechanism {mechanism}. For details see the broker logfile.", close.ReplyText);
        Assert.Equal(0, close.ClassId);
        Assert.Equal(0, close.MethodId);

        // RabbitMQ does not wait for close-ok here: it closes the socket about 3 s later either way.
        await connection.AnswerCloseAsync();
        await connection.ExpectClosedAsync();
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Bad_password_without_authentication_failure_close_closes_the_socket_silently()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Amqp0091);
        await connection.ExpectMethodAsync(0, 10, 10);
        await connection.SendAsync(Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "wrong"), Frames.ClientProperties(authenticationFailureClose: false)));
        await connection.ExpectClosedAsync();
        await bystander.AssertRoundTripAsync();
    }

    public static TheoryData<string, byte[]> RefusedStartOks => new()
    {
        { "unknown mechanism", Frames.StartOk("SCRAM-NOPE", Frames.PlainResponse("guest", "guest")) },
        { "PLAIN response without NULs", Frames.StartOk("PLAIN", Encoding.ASCII.GetBytes("guestguest")) },
        { "AMQPLAIN response with a table length prefix", Frames.StartOk("AMQPLAIN", new ArgWriter().Table(new Dictionary<string, object?> { ["LOGIN"] = "guest", ["PASSWORD"] = "guest" }).ToArray()) },
        { "start-ok with a bad frame end", Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest"))[..^1].Append((byte)0).ToArray() },

        // Before tuning, RabbitMQ's frame_max is 4096: a start-ok with large client-properties is a frame error.
        {
            "start-ok frame above 4096 octets",
            Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest"), new Dictionary<string, object?> { ["product"] = "wire", ["padding"] = new string('p', 6000) })
        },
        { "channel.open instead of start-ok", Frames.ChannelOpen(1) },
    };

    [Theory]
    [MemberData(nameof(RefusedStartOks))]
    public async Task Refused_start_ok_closes_the_socket_without_a_reply(string name, byte[] startOk)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Amqp0091);
        await connection.ExpectMethodAsync(0, 10, 10);
        await connection.TrySendAsync(startOk);
        await connection.ExpectClosedAsync();
        Assert.NotNull(name);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Start_ok_of_just_under_4096_octets_is_accepted()
    {
        await using var connection = await RawAmqpConnection.ConnectAsync(fixture);
        await connection.SendAsync(Amqp0091);
        await connection.ExpectMethodAsync(0, 10, 10);
        var startOk = Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest"), new Dictionary<string, object?> { ["product"] = "wire", ["padding"] = new string('p', 3900) });
        Assert.InRange(startOk.Length - 8, 3900, 4088);
        await connection.SendAsync(startOk);
        await connection.ExpectMethodAsync(0, 10, 30);
    }

    // tune-ok: RabbitMQ 3.10 checks frame_max >= 4096 and <= its own 131072, channel_max >= 1 and <= 2047;
    // 0 means "no limit" and is higher than the server's maximum. A failure is logged as "failed to negotiate
    // connection parameters: negotiated frame_max = 4095 is lower than the minimum allowed value (4096)" and the
    // socket is closed without a reply (3.10 is in state 'tuning', where it sends nothing).
    [Theory]
    [InlineData((ushort)2047, 4095u, (ushort)0)]
    [InlineData((ushort)2047, 131073u, (ushort)0)]
    [InlineData((ushort)2047, 0u, (ushort)0)]
    [InlineData((ushort)2048, 131072u, (ushort)0)]
    [InlineData((ushort)0, 131072u, (ushort)0)]
    public async Task Tune_ok_outside_the_server_limits_closes_the_socket_without_a_reply(ushort channelMax, uint frameMax, ushort heartbeat)
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await StartedAndAuthenticatedAsync();
        await connection.SendAsync(Frames.Concat(Frames.TuneOk(channelMax, frameMax, heartbeat), Frames.ConnectionOpen("/")));
        await connection.ExpectClosedAsync();
        await bystander.AssertRoundTripAsync();
    }

    [Theory]
    [InlineData((ushort)1, 4096u, (ushort)0)]
    [InlineData((ushort)10, 8192u, (ushort)0)]
    [InlineData((ushort)2047, 131072u, (ushort)65535)]
    public async Task Tune_ok_at_or_below_the_server_limits_is_accepted(ushort channelMax, uint frameMax, ushort heartbeat)
    {
        await using var connection = await StartedAndAuthenticatedAsync();
        await connection.SendAsync(Frames.Concat(Frames.TuneOk(channelMax, frameMax, heartbeat), Frames.ConnectionOpen("/")));
        await connection.ExpectMethodAsync(0, 10, 41);
        await connection.OpenChannelAsync(1);
    }

    [Fact]
    public async Task Connection_open_to_a_missing_vhost_gets_530()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await StartedAndAuthenticatedAsync();
        await connection.SendAsync(Frames.Concat(Frames.TuneOk(2047, 131072, 0), Frames.ConnectionOpen("no-such-vhost-wire")));
        await connection.ExpectConnectionErrorAsync(ReplyCode.NotAllowed, "NOT_ALLOWED - vhost no-such-vhost-wire not found", 10, 40);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Connection_open_before_tune_ok_closes_the_socket_without_a_reply()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await StartedAndAuthenticatedAsync();
        await connection.SendAsync(Frames.ConnectionOpen("/"));
        await connection.ExpectClosedAsync();
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Second_start_ok_closes_the_socket_without_a_reply()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await StartedAndAuthenticatedAsync();
        await connection.SendAsync(Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest")));
        await connection.ExpectClosedAsync();
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Second_tune_ok_gets_504_unexpected_method_in_state_opening()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await StartedAndAuthenticatedAsync();
        await connection.SendAsync(Frames.Concat(Frames.TuneOk(2047, 131072, 0), Frames.TuneOk(2047, 131072, 0)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - unexpected method in connection state opening", 10, 31);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Channel_open_before_connection_open_gets_505()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await StartedAndAuthenticatedAsync();
        await connection.SendAsync(Frames.Concat(Frames.TuneOk(2047, 131072, 0), Frames.ChannelOpen(1)));
        await connection.ExpectConnectionErrorAsync(ReplyCode.UnexpectedFrame, "UNEXPECTED_FRAME - type 1, all octets = <<0,20,0,10,0>>", 0, 0);
        await bystander.AssertRoundTripAsync();
    }

    [Fact]
    public async Task Second_connection_open_gets_504_unexpected_method_in_state_running()
    {
        await using var bystander = await Bystander.OpenAsync(fixture);
        await using var connection = await RawAmqpConnection.OpenAsync(fixture);
        await connection.SendAsync(Frames.ConnectionOpen("/"));
        await connection.ExpectConnectionErrorAsync(ReplyCode.ChannelError, "CHANNEL_ERROR - unexpected method in connection state running", 10, 40);
        await bystander.AssertRoundTripAsync();
    }

    /// <summary>Header, connection.start, start-ok (guest), connection.tune: ready for tune-ok.</summary>
    private Task<RawAmqpConnection> StartedAndAuthenticatedAsync() =>
        RawAmqpConnection.ConnectThenAsync(fixture, connection => Handshake.AuthenticateAsync(connection, new HandshakeOptions()));
}
