using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>
/// A deliberately small AMQP 0-9-1 speaker for the few methods RabbitMQ.Client 7.x no longer exposes
/// (basic.recover, basic.recover-async, channel.flow, confirm.select after tx.select, publish with
/// immediate=true). It does the handshake as guest/guest, then sends and reads raw frames; every read
/// is bounded by a timeout so a silent broker fails the test instead of hanging it.
/// </summary>
internal sealed class RawAmqpConnection : IAsyncDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private const byte FrameMethod = 1;
    private const byte FrameHeader = 2;
    private const byte FrameBody = 3;
    private const byte FrameHeartbeat = 8;
    private const byte FrameEnd = 0xCE;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private uint _frameMax = 131072;

    private RawAmqpConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawAmqpConnection> OpenAsync(string host, int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port);
            var conn = new RawAmqpConnection(tcp);
            await conn.HandshakeAsync();
            return conn;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private async Task HandshakeAsync()
    {
        await _stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray());

        await ExpectMethodAsync(0, 10, 10); // connection.start
        await SendMethodAsync(0, 10, 11, w => // connection.start-ok
        {
            w.Table();
            w.ShortStr("PLAIN");
            w.LongStr("\0guest\0guest");
            w.ShortStr("en_US");
        });
        var tune = await ExpectMethodAsync(0, 10, 30);
        var r = tune.Reader();
        var channelMax = r.UInt16();
        var frameMax = r.UInt32();
        _frameMax = frameMax == 0 ? 131072 : frameMax;
        await SendMethodAsync(0, 10, 31, w => // connection.tune-ok, no heartbeats
        {
            w.UInt16(channelMax);
            w.UInt32(_frameMax);
            w.UInt16(0);
        });
        await SendMethodAsync(0, 10, 40, w => // connection.open
        {
            w.ShortStr("/");
            w.ShortStr(string.Empty);
            w.Bits(false);
        });
        await ExpectMethodAsync(0, 10, 41);
    }

    public async Task OpenChannelAsync(ushort channel)
    {
        await SendMethodAsync(channel, 20, 10, w => w.ShortStr(string.Empty));
        await ExpectMethodAsync(channel, 20, 11);
    }

    public Task SendMethodAsync(ushort channel, ushort classId, ushort methodId, Action<RawWriter>? args = null)
    {
        var w = new RawWriter();
        w.UInt16(classId);
        w.UInt16(methodId);
        args?.Invoke(w);
        return SendFrameAsync(FrameMethod, channel, w.ToArray());
    }

    /// <summary>basic.publish with an empty property set, then the content header and body frames.</summary>
    public async Task PublishAsync(ushort channel, string exchange, string routingKey, byte[] body, bool mandatory = false, bool immediate = false)
    {
        await SendMethodAsync(channel, 60, 40, w =>
        {
            w.UInt16(0);
            w.ShortStr(exchange);
            w.ShortStr(routingKey);
            w.Bits(mandatory, immediate);
        });
        var header = new RawWriter();
        header.UInt16(60);
        header.UInt16(0);
        header.UInt64((ulong)body.Length);
        header.UInt16(0); // no properties
        await SendFrameAsync(FrameHeader, channel, header.ToArray());
        var chunk = (int)_frameMax - 8;
        for (var offset = 0; offset < body.Length; offset += chunk)
        {
            await SendFrameAsync(FrameBody, channel, body.AsSpan(offset, Math.Min(chunk, body.Length - offset)).ToArray());
        }
    }

    public Task ConsumeAsync(ushort channel, string queue, string consumerTag, bool noAck = false) =>
        SendMethodAsync(channel, 60, 20, w =>
        {
            w.UInt16(0);
            w.ShortStr(queue);
            w.ShortStr(consumerTag);
            w.Bits(false, noAck, false, false);
            w.Table();
        });

    public Task AckAsync(ushort channel, ulong deliveryTag, bool multiple = false) =>
        SendMethodAsync(channel, 60, 80, w =>
        {
            w.UInt64(deliveryTag);
            w.Bits(multiple);
        });

    /// <summary>Reads the next method frame (skipping heartbeats); content frames here are a protocol surprise.</summary>
    public async Task<RawMethod> ReadMethodAsync()
    {
        var (type, channel, payload) = await ReadFrameAsync();
        if (type != FrameMethod)
        {
            throw new InvalidOperationException($"expected a method frame, got frame type {type} on channel {channel}");
        }

        return RawMethod.Parse(channel, payload);
    }

    /// <summary>Reads the next method and insists it is the given one; a close in its place is reported with its reply text.</summary>
    public async Task<RawMethod> ExpectMethodAsync(ushort channel, ushort classId, ushort methodId)
    {
        var m = await ReadMethodAsync();
        if (m.Channel != channel || m.ClassId != classId || m.MethodId != methodId)
        {
            throw new InvalidOperationException($"expected {classId}.{methodId} on channel {channel}, got {m}");
        }

        return m;
    }

    /// <summary>Reads basic.deliver plus its content header and body frames.</summary>
    public async Task<RawDelivery> ReadDeliveryAsync(ushort channel)
    {
        var m = await ExpectMethodAsync(channel, 60, 60);
        var r = m.Reader();
        var consumerTag = r.ShortStr();
        var deliveryTag = r.UInt64();
        var redelivered = (r.Byte() & 1) != 0;
        var exchange = r.ShortStr();
        var routingKey = r.ShortStr();
        var body = await ReadContentAsync(channel);
        return new RawDelivery(consumerTag, deliveryTag, redelivered, exchange, routingKey, body);
    }

    /// <summary>Reads a content header frame and the body frames that complete it.</summary>
    public async Task<byte[]> ReadContentAsync(ushort channel)
    {
        var (type, ch, payload) = await ReadFrameAsync();
        if (type != FrameHeader || ch != channel)
        {
            throw new InvalidOperationException($"expected a content header on channel {channel}, got frame type {type} on channel {ch}");
        }

        var size = BinaryPrimitives.ReadUInt64BigEndian(payload.AsSpan(4, 8));
        var body = new byte[size];
        var filled = 0;
        while ((ulong)filled < size)
        {
            var (bt, bch, bp) = await ReadFrameAsync();
            if (bt != FrameBody || bch != channel)
            {
                throw new InvalidOperationException($"expected a body frame on channel {channel}, got frame type {bt} on channel {bch}");
            }

            bp.CopyTo(body, filled);
            filled += bp.Length;
        }

        return body;
    }

    /// <summary>Drops the TCP connection without any AMQP close, as a crashed client would.</summary>
    public void Abort()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0); // RST, not a graceful FIN
        _tcp.Dispose();
    }

    /// <summary>
    /// Closes politely: connection.close, then frames are read until connection.close-ok, a close from the
    /// broker (answered with close-ok), or the end of the socket. Bounded; errors here are irrelevant.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_tcp.Client is { Connected: true })
            {
                await SendMethodAsync(0, 10, 50, w =>
                {
                    w.UInt16(200);
                    w.ShortStr("bye");
                    w.UInt16(0);
                    w.UInt16(0);
                });
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
                while (DateTime.UtcNow < deadline)
                {
                    var (type, channel, payload) = await ReadFrameAsync();
                    if (type != FrameMethod || channel != 0)
                    {
                        continue;
                    }

                    var m = RawMethod.Parse(channel, payload);
                    if (m.ClassId == 10 && m.MethodId == 51)
                    {
                        break;
                    }

                    if (m.IsConnectionClose)
                    {
                        await SendMethodAsync(0, 10, 51);
                        break;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }

        _tcp.Dispose();
    }

    private async Task SendFrameAsync(byte type, ushort channel, byte[] payload)
    {
        var frame = new byte[7 + payload.Length + 1];
        frame[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), (uint)payload.Length);
        payload.CopyTo(frame, 7);
        frame[^1] = FrameEnd;
        await _stream.WriteAsync(frame);
    }

    private async Task<(byte Type, ushort Channel, byte[] Payload)> ReadFrameAsync()
    {
        while (true)
        {
            using var cts = new CancellationTokenSource(ReadTimeout);
            var header = new byte[7];
            await _stream.ReadExactlyAsync(header, cts.Token);
            var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(3));
            var rest = new byte[size + 1];
            await _stream.ReadExactlyAsync(rest, cts.Token);
            if (rest[^1] != FrameEnd)
            {
                throw new InvalidOperationException($"frame without frame-end octet (got 0x{rest[^1]:X2})");
            }

            if (header[0] == FrameHeartbeat)
            {
                continue;
            }

            return (header[0], BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1)), rest[..^1]);
        }
    }
}

internal sealed record RawDelivery(string ConsumerTag, ulong DeliveryTag, bool Redelivered, string Exchange, string RoutingKey, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

internal sealed record RawMethod(ushort Channel, ushort ClassId, ushort MethodId, byte[] Arguments)
{
    public static RawMethod Parse(ushort channel, byte[] payload) =>
        new(channel, BinaryPrimitives.ReadUInt16BigEndian(payload), BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(2)), payload[4..]);

    public RawReader Reader() => new(Arguments);

    public bool IsChannelClose => ClassId == 20 && MethodId == 40;

    public bool IsConnectionClose => ClassId == 10 && MethodId == 50;

    /// <summary>For channel.close / connection.close: (reply-code, reply-text, class-id, method-id).</summary>
    public (ushort Code, string Text, ushort ClassId, ushort MethodId) CloseReason()
    {
        if (!IsChannelClose && !IsConnectionClose)
        {
            throw new InvalidOperationException($"{this} is not a close");
        }

        var r = Reader();
        return (r.UInt16(), r.ShortStr(), r.UInt16(), r.UInt16());
    }

    public override string ToString()
    {
        var s = $"method {ClassId}.{MethodId} on channel {Channel}";
        if (IsChannelClose || IsConnectionClose)
        {
            var (code, text, cls, mth) = CloseReason();
            s += $" (close {code} '{text}' for {cls}.{mth})";
        }

        return s;
    }
}

internal sealed class RawReader(byte[] data)
{
    private int _pos;

    public byte Byte() => data[_pos++];

    public ushort UInt16()
    {
        var v = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(_pos));
        _pos += 2;
        return v;
    }

    public uint UInt32()
    {
        var v = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(_pos));
        _pos += 4;
        return v;
    }

    public ulong UInt64()
    {
        var v = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(_pos));
        _pos += 8;
        return v;
    }

    public string ShortStr()
    {
        var len = data[_pos++];
        var s = Encoding.UTF8.GetString(data, _pos, len);
        _pos += len;
        return s;
    }
}

internal sealed class RawWriter
{
    private readonly MemoryStream _buffer = new();

    public void UInt16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        _buffer.Write(b);
    }

    public void UInt32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        _buffer.Write(b);
    }

    public void UInt64(ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        _buffer.Write(b);
    }

    public void ShortStr(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        _buffer.WriteByte((byte)bytes.Length);
        _buffer.Write(bytes);
    }

    public void LongStr(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        UInt32((uint)bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>An empty field table.</summary>
    public void Table() => UInt32(0);

    /// <summary>Consecutive bit fields packed into one octet, first bit lowest.</summary>
    public void Bits(params bool[] bits)
    {
        byte b = 0;
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                b |= (byte)(1 << i);
            }
        }

        _buffer.WriteByte(b);
    }

    public byte[] ToArray() => _buffer.ToArray();
}
