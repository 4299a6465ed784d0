using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using OrleansBroker.Amqp;

namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>
/// A TCP connection that speaks AMQP by hand. A background pump moves received bytes into a queue, so every
/// read waits with a timeout and a test never hangs; the pump also records how the server ended the socket.
/// </summary>
internal sealed class RawAmqpConnection : IAsyncDisposable
{
    /// <summary>How long a test waits for any expected frame; a healthy broker answers in milliseconds.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a test waits for the server to close the socket. RabbitMQ waits 3 s after fatal errors.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private const int MaxAcceptedPayload = 16 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly Channel<byte[]> _received = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _pump;
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    private RawAmqpConnection(Socket socket)
    {
        _socket = socket;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>How the server ended the connection: null while open, else "EOF" or the socket error.</summary>
    public string? ClosedBy { get; private set; }

    /// <summary>Connects to the broker the fixture gives (ours in-process, or an external RabbitMQ); sends nothing.</summary>
    public static Task<RawAmqpConnection> ConnectAsync(BrokerFixture fixture, TimeSpan? timeout = null) =>
        ConnectAsync(fixture.HostName, fixture.Port, timeout);

    public static async Task<RawAmqpConnection> ConnectAsync(string host, int port, TimeSpan? timeout = null)
    {
        // No address family given: a dual-mode socket reaches an IPv4 or IPv6 host name alike.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
            await socket.ConnectAsync(host, port, cts.Token);
            return new RawAmqpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects and completes the handshake up to connection.open-ok.</summary>
    public static Task<RawAmqpConnection> OpenAsync(BrokerFixture fixture, HandshakeOptions? options = null) =>
        ConnectThenAsync(fixture, connection => Handshake.RunAsync(connection, options ?? new HandshakeOptions()));

    /// <summary>Connects, completes the handshake and opens <paramref name="channel"/>.</summary>
    public static Task<RawAmqpConnection> OpenWithChannelAsync(BrokerFixture fixture, ushort channel = 1) =>
        ConnectThenAsync(fixture, async connection =>
        {
            await Handshake.RunAsync(connection, new HandshakeOptions());
            await connection.OpenChannelAsync(channel);
        });

    /// <summary>Connects and takes the first <paramref name="steps"/>; if one fails the socket is closed, not leaked.</summary>
    public static async Task<RawAmqpConnection> ConnectThenAsync(BrokerFixture fixture, Func<RawAmqpConnection, Task> steps)
    {
        var connection = await ConnectAsync(fixture);
        try
        {
            await steps(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task SendAsync(byte[] bytes, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? CloseTimeout);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cts.Token);
        }
    }

    /// <summary>Sends if the socket still takes data; the server may already have closed it.</summary>
    public async Task<bool> TrySendAsync(byte[] bytes, TimeSpan? timeout = null)
    {
        try
        {
            await SendAsync(bytes, timeout ?? TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    /// <summary>Ends the sending side (TCP FIN) as a client that is done does; reading goes on. False when the socket is already gone.</summary>
    public bool TryShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Answers the server's connection.close as a client does: close-ok, then the end of its sending side. The server may
    /// have closed the socket already (RabbitMQ does as soon as close-ok arrives).
    /// </summary>
    public async Task AnswerCloseAsync()
    {
        if (await TrySendAsync(Frames.ConnectionCloseOk()))
        {
            TryShutdownSend();
        }
    }

    /// <summary>Exactly <paramref name="count"/> octets; fails the test on timeout or when the server closes first.</summary>
    public async Task<byte[]> ReadExactlyAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
        while (_end - _start < count)
        {
            byte[] chunk;
            try
            {
                chunk = await _received.Reader.ReadAsync(cts.Token);
            }
            catch (ChannelClosedException)
            {
                throw new ServerClosedException(
                    _end - _start,
                    $"the server closed the connection ({ClosedBy}) while {count} octets were expected; had {_end - _start}: {Hex(_buffer.AsSpan(_start, _end - _start))}");
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"no {count} octets within {(timeout ?? ReadTimeout).TotalSeconds} s; had {_end - _start}: {Hex(_buffer.AsSpan(_start, _end - _start))}");
            }

            Append(chunk);
        }

        var result = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return result;
    }

    public async Task<Frame> ReadFrameAsync(TimeSpan? timeout = null)
    {
        var deadline = timeout ?? ReadTimeout;
        var header = await ReadExactlyAsync(7, deadline);
        var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(3));
        if (size > MaxAcceptedPayload)
        {
            throw new InvalidDataException($"server sent a frame of {size} octets: {Hex(header)}");
        }

        var rest = await ReadExactlyAsync((int)size + 1, deadline);
        var frame = new Frame(header[0], BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1)), rest[..^1], rest[^1]);
        Assert.True(frame.FrameEnd == Frames.FrameEnd, $"server frame without frame-end octet: {frame}");
        return frame;
    }

    /// <summary>The next frame that is not a heartbeat.</summary>
    public async Task<Frame> ReadNonHeartbeatAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ReadTimeout);
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            var frame = await ReadFrameAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            if (!frame.IsHeartbeat)
            {
                return frame;
            }
        }
    }

    public async Task<Frame> ExpectMethodAsync(ushort channel, ushort classId, ushort methodId, TimeSpan? timeout = null)
    {
        var frame = await ReadNonHeartbeatAsync(timeout);
        Assert.True(frame.Is(classId, methodId) && frame.Channel == channel,
            $"expected method {classId}.{methodId} on channel {channel}, got {frame}");
        return frame;
    }

    /// <summary>Reads the server's connection.close (skipping heartbeats) and returns its arguments.</summary>
    public async Task<CloseInfo> ExpectConnectionCloseAsync(TimeSpan? timeout = null)
    {
        var frame = await ReadNonHeartbeatAsync(timeout);
        Assert.True(frame.Is(10, 50) && frame.Channel == 0, $"expected connection.close on channel 0, got {frame}");
        return CloseInfo.Parse(frame);
    }

    /// <summary>
    /// The server closes the connection with a hard error: connection.close with this code, text (exact, or a
    /// prefix when <paramref name="textIsPrefix"/>), class and method; the test answers close-ok and closes its side,
    /// and the socket is then closed by the server within a bounded time.
    /// </summary>
    public async Task<CloseInfo> ExpectConnectionErrorAsync(ReplyCode code, string text, ushort classId, ushort methodId, bool textIsPrefix = false)
    {
        var close = await ExpectConnectionCloseAsync();
        Assert.Equal((ushort)code, close.ReplyCode);
        if (textIsPrefix)
        {
            Assert.StartsWith(text, close.ReplyText, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(text, close.ReplyText);
        }

        Assert.Equal(classId, close.ClassId);
        Assert.Equal(methodId, close.MethodId);
        await AnswerCloseAsync();
        await ExpectClosedAsync(allowHeartbeats: true);
        return close;
    }

    /// <summary>
    /// The server either drops the TCP connection without a word (what RabbitMQ does when its reader crashes)
    /// or sends connection.close with <paramref name="codeIfClosed"/>, which the test answers as a client does.
    /// Either way the socket ends up closed within the bound.
    /// </summary>
    public async Task ExpectDroppedOrClosedAsync(ReplyCode codeIfClosed, string because)
    {
        Frame frame;
        try
        {
            frame = await ReadNonHeartbeatAsync(CloseTimeout);
        }
        catch (ServerClosedException e) when (e.BufferedOctets == 0)
        {
            return;
        }

        Assert.True(frame.Is(10, 50) && frame.Channel == 0, $"{because}: expected the connection to drop or a connection.close, got {frame}");
        Assert.Equal((ushort)codeIfClosed, CloseInfo.Parse(frame).ReplyCode);
        await AnswerCloseAsync();
        await ExpectClosedAsync(allowHeartbeats: true);
    }

    /// <summary>
    /// Waits until the server closes the socket; fails on timeout. Returns what arrived meanwhile (without
    /// the unread bytes that were already buffered).
    /// </summary>
    public async Task<byte[]> WaitClosedAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? CloseTimeout;
        using var cts = new CancellationTokenSource(wait);
        var pending = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end = 0;
        var received = new List<byte>(pending);
        try
        {
            await foreach (var chunk in _received.Reader.ReadAllAsync(cts.Token))
            {
                received.AddRange(chunk);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server did not close the socket within {wait.TotalSeconds} s; received meanwhile: {Hex(received.ToArray())}");
        }

        return [.. received];
    }

    /// <summary>
    /// The server closes the socket within the bound. Unless <paramref name="allowHeartbeats"/>, nothing at all
    /// may arrive first; with it, only heartbeat frames.
    /// </summary>
    public async Task ExpectClosedAsync(bool allowHeartbeats = false, TimeSpan? timeout = null)
    {
        var received = await WaitClosedAsync(timeout);
        if (!allowHeartbeats)
        {
            Assert.True(received.Length == 0, $"expected the socket to close without a reply, got: {DescribeFrames(received)}");
            return;
        }

        foreach (var frame in SplitFrames(received))
        {
            Assert.True(frame.IsHeartbeat, $"expected only heartbeats before the close, got: {DescribeFrames(received)}");
        }
    }

    /// <summary>Asserts that nothing but heartbeats arrives for <paramref name="duration"/> and the socket stays open.</summary>
    public async Task ExpectSilenceAsync(TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        while (true)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            try
            {
                var frame = await ReadFrameAsync(left);
                Assert.True(frame.IsHeartbeat, $"expected no frames, got {frame}");
            }
            catch (TimeoutException)
            {
                return;
            }
        }
    }

    public async Task OpenChannelAsync(ushort channel)
    {
        await SendAsync(Frames.ChannelOpen(channel));
        await ExpectMethodAsync(channel, 20, 11);
    }

    /// <summary>queue.declare and its declare-ok; returns (queue name, message count, consumer count).</summary>
    public async Task<(string Queue, uint Messages, uint Consumers)> DeclareQueueAsync(ushort channel, string queue, bool passive = false, bool exclusive = false)
    {
        await SendAsync(Frames.QueueDeclare(channel, queue, passive: passive, exclusive: exclusive));
        var ok = await ExpectMethodAsync(channel, 50, 11);
        var args = ok.Args();
        return (args.ShortStr(), args.Long(), args.Long());
    }

    /// <summary>basic.get with no-ack; returns the body, or null on get-empty.</summary>
    public async Task<byte[]?> GetAsync(ushort channel, string queue)
    {
        await SendAsync(Frames.BasicGet(channel, queue));
        var reply = await ReadNonHeartbeatAsync();
        if (reply.Is(60, 72) && reply.Channel == channel)
        {
            return null;
        }

        Assert.True(reply.Is(60, 71) && reply.Channel == channel, $"expected basic.get-ok or get-empty on channel {channel}, got {reply}");
        return await ReadContentAsync(channel);
    }

    /// <summary>basic.deliver on <paramref name="channel"/> and the content that follows it.</summary>
    public async Task<RawDelivery> ReadDeliveryAsync(ushort channel)
    {
        var args = (await ExpectMethodAsync(channel, 60, 60)).Args();
        var consumerTag = args.ShortStr();
        var deliveryTag = args.LongLong();
        var redelivered = args.Bit();
        var exchange = args.ShortStr();
        var routingKey = args.ShortStr();
        return new RawDelivery(consumerTag, deliveryTag, redelivered, exchange, routingKey, await ReadContentAsync(channel));
    }

    /// <summary>A content header and the body frames that complete it; returns the body.</summary>
    public async Task<byte[]> ReadContentAsync(ushort channel)
    {
        var (size, _) = await ReadContentHeaderAsync(channel);
        return await ReadBodyAsync(channel, size);
    }

    /// <summary>A content header frame; returns (body size, the header frame).</summary>
    public async Task<(ulong BodySize, Frame Header)> ReadContentHeaderAsync(ushort channel)
    {
        var header = await ReadNonHeartbeatAsync();
        Assert.True(header.Type == FrameType.Header && header.Channel == channel, $"expected a content header on channel {channel}, got {header}");
        var h = new ArgReader(header.Payload, 0);
        Assert.Equal(60, h.Short());
        Assert.Equal(0, h.Short());
        return (h.LongLong(), header);
    }

    public async Task<byte[]> ReadBodyAsync(ushort channel, ulong size, List<int>? frameSizes = null)
    {
        var body = new List<byte>();
        while ((ulong)body.Count < size)
        {
            var frame = await ReadNonHeartbeatAsync();
            Assert.True(frame.Type == FrameType.Body && frame.Channel == channel, $"expected a body frame on channel {channel}, got {frame}");
            frameSizes?.Add(frame.Payload.Length);
            body.AddRange(frame.Payload);
        }

        Assert.Equal(size, (ulong)body.Count);
        return [.. body];
    }

    /// <summary>Drops the TCP connection with a reset and no AMQP close, as a crashed client would.</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Dispose();
    }

    /// <summary>Ends the socket without an AMQP close: a test that wants one sends it and checks the answer.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public static IEnumerable<Frame> SplitFrames(byte[] bytes)
    {
        var pos = 0;
        var frames = new List<Frame>();
        while (bytes.Length - pos >= 8)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos + 3));
            if (size > bytes.Length - pos - 8)
            {
                break;
            }

            frames.Add(new Frame(bytes[pos], BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(pos + 1)), bytes.AsSpan(pos + 7, (int)size).ToArray(), bytes[pos + 7 + (int)size]));
            pos += 8 + (int)size;
        }

        if (pos != bytes.Length)
        {
            frames.Add(new Frame(0xFF, 0xFFFF, bytes[pos..], 0));
        }

        return frames;
    }

    public static string DescribeFrames(byte[] bytes) =>
        bytes.Length == 0 ? "nothing" : string.Join("; ", SplitFrames(bytes).Select(f => f.Type == 0xFF ? $"trailing octets {Hex(f.Payload)}" : f.ToString()));

    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        const int Max = 64;
        var shown = bytes.Length > Max ? bytes[..Max] : bytes;
        var sb = new StringBuilder(Convert.ToHexString(shown));
        if (bytes.Length > Max)
        {
            sb.Append($"... ({bytes.Length} octets)");
        }

        return sb.ToString();
    }

    private void Append(byte[] chunk)
    {
        if (_buffer.Length - _end < chunk.Length)
        {
            var live = _end - _start;
            if (_buffer.Length < live + chunk.Length)
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, live + chunk.Length)];
                Array.Copy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
            }
            else
            {
                Array.Copy(_buffer, _start, _buffer, 0, live);
            }

            _start = 0;
            _end = live;
        }

        chunk.CopyTo(_buffer, _end);
        _end += chunk.Length;
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    ClosedBy = "EOF";
                    break;
                }

                _received.Writer.TryWrite(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (SocketException e)
        {
            ClosedBy = e.SocketErrorCode.ToString();
        }
        catch (ObjectDisposedException)
        {
            ClosedBy = "disposed";
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }
}
