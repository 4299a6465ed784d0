using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using OrleansBroker.Tests.Infrastructure;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>
/// RabbitMQ.Client always sends exchange.declare with internal=false, so internal exchanges are declared
/// through this minimal hand-written AMQP 0-9-1 client: handshake, channel 1, one exchange.declare, close.
/// </summary>
internal static class RawExchangeDeclarer
{
    /// <summary>The outcome of the declare: null on declare-ok, else the channel.close the broker sent.</summary>
    public sealed record ChannelClose(ushort ReplyCode, string ReplyText, ushort ClassId, ushort MethodId);

    public static async Task<ChannelClose?> DeclareAsync(
        BrokerFixture fixture, string exchange, string type, bool durable, bool autoDelete, bool @internal)
    {
        using var cts = new CancellationTokenSource(TopologyAssert.WaitLimit);
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.HostName, fixture.Port, cts.Token);
        var stream = client.GetStream();
        var ct = cts.Token;

        await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), ct);
        await ExpectMethodAsync(stream, 10, 10, ct); // connection.start

        var startOk = new Writer();
        startOk.Short(10).Short(11).Table().ShortStr("PLAIN").LongStr("\0guest\0guest").ShortStr("en_US");
        await SendMethodAsync(stream, 0, startOk, ct);

        var tune = await ExpectMethodAsync(stream, 10, 30, ct);
        var channelMax = BinaryPrimitives.ReadUInt16BigEndian(tune.AsSpan(4));
        var frameMax = BinaryPrimitives.ReadUInt32BigEndian(tune.AsSpan(6));
        var tuneOk = new Writer();
        tuneOk.Short(10).Short(31).Short(channelMax).Long(frameMax).Short(0);
        await SendMethodAsync(stream, 0, tuneOk, ct);

        var open = new Writer();
        open.Short(10).Short(40).ShortStr("/").ShortStr(string.Empty).Octet(0);
        await SendMethodAsync(stream, 0, open, ct);
        await ExpectMethodAsync(stream, 10, 41, ct);

        var channelOpen = new Writer();
        channelOpen.Short(20).Short(10).ShortStr(string.Empty);
        await SendMethodAsync(stream, 1, channelOpen, ct);
        await ExpectMethodAsync(stream, 20, 11, ct);

        var bits = (byte)((durable ? 2 : 0) | (autoDelete ? 4 : 0) | (@internal ? 8 : 0));
        var declare = new Writer();
        declare.Short(40).Short(10).Short(0).ShortStr(exchange).ShortStr(type).Octet(bits).Table();
        await SendMethodAsync(stream, 1, declare, ct);

        var reply = await ReadMethodAsync(stream, ct);
        ChannelClose? result = null;
        var classId = BinaryPrimitives.ReadUInt16BigEndian(reply);
        var methodId = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(2));
        if (classId == 20 && methodId == 40)
        {
            var code = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(4));
            var textLength = reply[6];
            var text = Encoding.UTF8.GetString(reply, 7, textLength);
            var failedClass = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(7 + textLength));
            var failedMethod = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(9 + textLength));
            result = new ChannelClose(code, text, failedClass, failedMethod);
            var closeOk = new Writer();
            closeOk.Short(20).Short(41);
            await SendMethodAsync(stream, 1, closeOk, ct);
        }
        else if (classId != 40 || methodId != 11)
        {
            throw new InvalidOperationException($"unexpected reply {classId}.{methodId} to exchange.declare");
        }

        var close = new Writer();
        close.Short(10).Short(50).Short(200).ShortStr("bye").Short(0).Short(0);
        await SendMethodAsync(stream, 0, close, ct);
        while (true)
        {
            var m = await ReadMethodAsync(stream, ct);
            if (BinaryPrimitives.ReadUInt16BigEndian(m) == 10 && BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(2)) == 51)
            {
                break;
            }
        }

        return result;
    }

    private static async Task<byte[]> ExpectMethodAsync(NetworkStream stream, ushort classId, ushort methodId, CancellationToken ct)
    {
        var payload = await ReadMethodAsync(stream, ct);
        var c = BinaryPrimitives.ReadUInt16BigEndian(payload);
        var m = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(2));
        if (c != classId || m != methodId)
        {
            throw new InvalidOperationException($"expected method {classId}.{methodId}, got {c}.{m}");
        }

        return payload;
    }

    /// <summary>Reads frames until a method frame arrives (skipping heartbeats); returns its payload.</summary>
    private static async Task<byte[]> ReadMethodAsync(NetworkStream stream, CancellationToken ct)
    {
        while (true)
        {
            var header = new byte[7];
            await stream.ReadExactlyAsync(header, ct);
            var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(3));
            var payload = new byte[size + 1];
            await stream.ReadExactlyAsync(payload, ct);
            if (payload[^1] != 0xCE)
            {
                throw new InvalidOperationException("missing frame-end octet");
            }

            if (header[0] == 1)
            {
                return payload[..^1];
            }
        }
    }

    private static async Task SendMethodAsync(NetworkStream stream, ushort channel, Writer method, CancellationToken ct)
    {
        var payload = method.ToArray();
        var frame = new byte[7 + payload.Length + 1];
        frame[0] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), (uint)payload.Length);
        payload.CopyTo(frame, 7);
        frame[^1] = 0xCE;
        await stream.WriteAsync(frame, ct);
    }

    private sealed class Writer
    {
        private readonly MemoryStream _buffer = new();

        public Writer Octet(byte value)
        {
            _buffer.WriteByte(value);
            return this;
        }

        public Writer Short(ushort value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
            _buffer.Write(b);
            return this;
        }

        public Writer Long(uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
            _buffer.Write(b);
            return this;
        }

        public Writer ShortStr(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Octet((byte)bytes.Length);
            _buffer.Write(bytes);
            return this;
        }

        public Writer LongStr(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Long((uint)bytes.Length);
            _buffer.Write(bytes);
            return this;
        }

        /// <summary>An empty field table.</summary>
        public Writer Table() => Long(0);

        public byte[] ToArray() => _buffer.ToArray();
    }
}
