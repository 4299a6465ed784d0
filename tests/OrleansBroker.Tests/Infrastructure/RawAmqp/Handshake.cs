namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>What the client asks for in the handshake.</summary>
internal sealed record HandshakeOptions
{
    public string Mechanism { get; init; } = "PLAIN";

    public string User { get; init; } = "guest";

    public string Password { get; init; } = "guest";

    public ushort ChannelMax { get; init; } = 2047;

    public uint FrameMax { get; init; } = Frames.DefaultFrameMax;

    public ushort Heartbeat { get; init; }

    public string VirtualHost { get; init; } = "/";
}

/// <summary>The server's connection.tune.</summary>
internal sealed record TuneInfo(ushort ChannelMax, uint FrameMax, ushort Heartbeat);

/// <summary>
/// The client's side of the AMQP handshake in its two halves, so that a test can stop after authentication
/// and misbehave in the tuning that follows.
/// </summary>
internal static class Handshake
{
    /// <summary>The whole handshake, up to connection.open-ok.</summary>
    public static async Task<(ArgReader Start, TuneInfo Tune)> RunAsync(RawAmqpConnection connection, HandshakeOptions options)
    {
        var (start, tune) = await AuthenticateAsync(connection, options);
        await connection.SendAsync(Frames.Concat(
            Frames.TuneOk(options.ChannelMax, options.FrameMax, options.Heartbeat),
            Frames.ConnectionOpen(options.VirtualHost)));
        await connection.ExpectMethodAsync(0, 10, 41);
        return (start, tune);
    }

    /// <summary>Protocol header, connection.start, start-ok, up to the server's connection.tune.</summary>
    public static async Task<(ArgReader Start, TuneInfo Tune)> AuthenticateAsync(RawAmqpConnection connection, HandshakeOptions options)
    {
        await connection.SendAsync(Frames.ProtocolHeader);
        var start = await connection.ExpectMethodAsync(0, 10, 10);
        var response = options.Mechanism == "AMQPLAIN"
            ? Frames.AmqPlainResponse(options.User, options.Password)
            : Frames.PlainResponse(options.User, options.Password);
        await connection.SendAsync(Frames.StartOk(options.Mechanism, response));
        var tune = (await connection.ExpectMethodAsync(0, 10, 30)).Args();
        return (start.Args(), new TuneInfo(tune.Short(), tune.Long(), tune.Short()));
    }
}
