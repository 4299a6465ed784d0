using System.Buffers.Binary;
using System.Text;

namespace OrleansBroker.Tests.Wire;

// A deliberately small, independent AMQP 0-9-1 frame builder and parser for the raw-socket tests. It does
// not share code with the broker's codec: a second implementation written from the spec is the oracle.
//
// Frame layout (spec 2.3.5 / 4.2.3): type:octet channel:short size:long payload:size frame-end:octet(0xCE).
// Method payload: class-id:short method-id:short arguments. Content header payload: class-id:short
// weight:short body-size:longlong property-flags:short property-list. Heartbeat: type 8, channel 0, empty.

internal static class FrameType
{
    public const byte Method = 1;
    public const byte Header = 2;
    public const byte Body = 3;
    public const byte Heartbeat = 8;
}

/// <summary>One frame as read off the wire.</summary>
internal sealed record Frame(byte Type, ushort Channel, byte[] Payload, byte FrameEnd)
{
    public bool IsMethod => Type == FrameType.Method && Payload.Length >= 4;

    public bool IsHeartbeat => Type == FrameType.Heartbeat;

    public ushort ClassId => BinaryPrimitives.ReadUInt16BigEndian(Payload);

    public ushort MethodId => BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(2));

    public bool Is(ushort classId, ushort methodId) => IsMethod && ClassId == classId && MethodId == methodId;

    /// <summary>A reader over the method arguments (after class and method ids).</summary>
    public ArgReader Args() => new(Payload, 4);

    public override string ToString() =>
        IsMethod
            ? $"method {ClassId}.{MethodId} on channel {Channel} ({Payload.Length} octets{DescribeClose()})"
            : $"frame type {Type} on channel {Channel} ({Payload.Length} octets, end 0x{FrameEnd:X2})";

    private string DescribeClose()
    {
        if ((Is(10, 50) || Is(20, 40)) && CloseInfo.TryParse(this, out var close))
        {
            return $": {close}";
        }

        return string.Empty;
    }
}

/// <summary>The arguments of a connection.close or channel.close.</summary>
internal sealed record CloseInfo(ushort Channel, ushort ReplyCode, string ReplyText, ushort ClassId, ushort MethodId)
{
    public static CloseInfo Parse(Frame frame)
    {
        var args = frame.Args();
        var code = args.Short();
        var text = args.ShortStr();
        var classId = args.Short();
        var methodId = args.Short();
        return new CloseInfo(frame.Channel, code, text, classId, methodId);
    }

    public static bool TryParse(Frame frame, out CloseInfo close)
    {
        try
        {
            close = Parse(frame);
            return true;
        }
        catch (FormatException)
        {
            close = new CloseInfo(frame.Channel, 0, string.Empty, 0, 0);
            return false;
        }
    }

    public override string ToString() => $"{ReplyCode} '{ReplyText}' class {ClassId} method {MethodId}";
}

/// <summary>Writes method arguments and content properties in network byte order.</summary>
internal sealed class ArgWriter
{
    private readonly MemoryStream _stream = new();
    private int _bitCount;
    private long _bitPosition = -1;

    public ArgWriter Octet(byte value)
    {
        EndBits();
        _stream.WriteByte(value);
        return this;
    }

    public ArgWriter Short(ushort value)
    {
        EndBits();
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public ArgWriter Long(uint value)
    {
        EndBits();
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public ArgWriter LongLong(ulong value)
    {
        EndBits();
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public ArgWriter ShortStr(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > 255)
        {
            throw new ArgumentException("shortstr longer than 255 octets", nameof(value));
        }

        Octet((byte)bytes.Length);
        _stream.Write(bytes);
        return this;
    }

    public ArgWriter LongStr(string value) => LongStr(Encoding.UTF8.GetBytes(value));

    public ArgWriter LongStr(byte[] value)
    {
        Long((uint)value.Length);
        _stream.Write(value);
        return this;
    }

    /// <summary>Consecutive bits share octets, least significant bit first (spec 4.2.5.2).</summary>
    public ArgWriter Bit(bool value)
    {
        if (_bitPosition < 0 || _bitCount == 8)
        {
            _bitPosition = _stream.Position;
            _stream.WriteByte(0);
            _bitCount = 0;
        }

        if (value)
        {
            var end = _stream.Position;
            _stream.Position = _bitPosition;
            var current = (byte)_stream.ReadByte();
            _stream.Position = _bitPosition;
            _stream.WriteByte((byte)(current | (1 << _bitCount)));
            _stream.Position = end;
        }

        _bitCount++;
        return this;
    }

    /// <summary>A field table with its 4-octet length prefix.</summary>
    public ArgWriter Table(IReadOnlyDictionary<string, object?> table) => LongStr(EncodeTableBody(table));

    public ArgWriter Raw(ReadOnlySpan<byte> bytes)
    {
        EndBits();
        _stream.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _stream.ToArray();

    /// <summary>The field-value pairs of a table, without the length prefix (also AMQPLAIN's response format).</summary>
    public static byte[] EncodeTableBody(IReadOnlyDictionary<string, object?> table)
    {
        var w = new ArgWriter();
        foreach (var (key, value) in table)
        {
            w.ShortStr(key);
            w.FieldValue(value);
        }

        return w.ToArray();
    }

    private void FieldValue(object? value)
    {
        switch (value)
        {
            case null:
                Octet((byte)'V');
                break;
            case bool b:
                Octet((byte)'t').Octet(b ? (byte)1 : (byte)0);
                break;
            case int i:
                Octet((byte)'I').Long(unchecked((uint)i));
                break;
            case long l:
                Octet((byte)'l').LongLong(unchecked((ulong)l));
                break;
            case string s:
                Octet((byte)'S').LongStr(s);
                break;
            case byte[] bytes:
                Octet((byte)'S').LongStr(bytes);
                break;
            case IReadOnlyDictionary<string, object?> nested:
                Octet((byte)'F').Table(nested);
                break;
            default:
                throw new ArgumentException($"unsupported field value {value.GetType()}", nameof(value));
        }
    }

    private void EndBits()
    {
        _bitPosition = -1;
        _bitCount = 0;
    }
}

/// <summary>Reads method arguments; throws <see cref="FormatException"/> on truncation.</summary>
internal sealed class ArgReader(byte[] buffer, int offset)
{
    private int _pos = offset;
    private int _bitCount = 8;
    private byte _bits;

    public int Remaining => buffer.Length - _pos;

    public byte Octet()
    {
        _bitCount = 8;
        Need(1);
        return buffer[_pos++];
    }

    public ushort Short()
    {
        _bitCount = 8;
        Need(2);
        var v = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(_pos));
        _pos += 2;
        return v;
    }

    public uint Long()
    {
        _bitCount = 8;
        Need(4);
        var v = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(_pos));
        _pos += 4;
        return v;
    }

    public ulong LongLong()
    {
        _bitCount = 8;
        Need(8);
        var v = BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(_pos));
        _pos += 8;
        return v;
    }

    public bool Bit()
    {
        if (_bitCount == 8)
        {
            Need(1);
            _bits = buffer[_pos++];
            _bitCount = 0;
        }

        return (_bits & (1 << _bitCount++)) != 0;
    }

    public string ShortStr()
    {
        var len = Octet();
        Need(len);
        var s = Encoding.UTF8.GetString(buffer, _pos, len);
        _pos += len;
        return s;
    }

    public byte[] LongStrBytes()
    {
        var len = Long();
        if (len > int.MaxValue)
        {
            throw new FormatException("longstr too long");
        }

        Need((int)len);
        var bytes = buffer.AsSpan(_pos, (int)len).ToArray();
        _pos += (int)len;
        return bytes;
    }

    public string LongStr() => Encoding.UTF8.GetString(LongStrBytes());

    public Dictionary<string, object?> Table()
    {
        var body = LongStrBytes();
        var inner = new ArgReader(body, 0);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (inner.Remaining > 0)
        {
            var key = inner.ShortStr();
            result[key] = inner.FieldValue();
        }

        return result;
    }

    private object? FieldValue()
    {
        var type = (char)Octet();
        switch (type)
        {
            case 't': return Octet() != 0;
            case 'b': return unchecked((sbyte)Octet());
            case 'B': return Octet();
            case 's': return unchecked((short)Short());
            case 'u': return Short();
            case 'I': return unchecked((int)Long());
            case 'i': return Long();
            case 'l': return unchecked((long)LongLong());
            case 'f': return BitConverter.Int32BitsToSingle(unchecked((int)Long()));
            case 'd': return BitConverter.Int64BitsToDouble(unchecked((long)LongLong()));
            case 'D':
                {
                    var scale = Octet();
                    var value = unchecked((int)Long());
                    return new decimal(Math.Abs(value), 0, 0, value < 0, scale);
                }

            case 'S': return LongStrBytes();
            case 'x': return LongStrBytes();
            case 'T': return LongLong();
            case 'F': return Table();
            case 'A':
                {
                    var body = LongStrBytes();
                    var inner = new ArgReader(body, 0);
                    var list = new List<object?>();
                    while (inner.Remaining > 0)
                    {
                        list.Add(inner.FieldValue());
                    }

                    return list;
                }

            case 'V': return null;
            default: throw new FormatException($"unknown field type '{type}'");
        }
    }

    private void Need(int count)
    {
        if (count < 0 || _pos + count > buffer.Length)
        {
            throw new FormatException($"need {count} octets at {_pos}, have {buffer.Length - _pos}");
        }
    }
}

/// <summary>Builders for the frames the tests send.</summary>
internal static class Wire
{
    public const byte FrameEnd = 0xCE;

    /// <summary>"AMQP" 0 0 9 1.</summary>
    public static readonly byte[] ProtocolHeader = [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 0, 9, 1];

    public static byte[] Frame(byte type, ushort channel, ReadOnlySpan<byte> payload, byte frameEnd = FrameEnd) =>
        FrameWithDeclaredSize(type, channel, payload, (uint)payload.Length, frameEnd);

    /// <summary>A frame whose size field says <paramref name="declaredSize"/> whatever the payload is.</summary>
    public static byte[] FrameWithDeclaredSize(byte type, ushort channel, ReadOnlySpan<byte> payload, uint declaredSize, byte frameEnd = FrameEnd)
    {
        var frame = new byte[7 + payload.Length + 1];
        frame[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), declaredSize);
        payload.CopyTo(frame.AsSpan(7));
        frame[^1] = frameEnd;
        return frame;
    }

    public static byte[] MethodPayload(ushort classId, ushort methodId, byte[]? args = null)
    {
        args ??= [];
        var payload = new byte[4 + args.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, classId);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), methodId);
        args.CopyTo(payload, 4);
        return payload;
    }

    public static byte[] Method(ushort channel, ushort classId, ushort methodId, byte[]? args = null, byte frameEnd = FrameEnd) =>
        Frame(FrameType.Method, channel, MethodPayload(classId, methodId, args), frameEnd);

    public static byte[] Method(ushort channel, ushort classId, ushort methodId, ArgWriter args) =>
        Method(channel, classId, methodId, args.ToArray());

    /// <summary>A content header with no properties (flags 0).</summary>
    public static byte[] ContentHeader(ushort channel, ulong bodySize, ushort classId = 60) =>
        Frame(FrameType.Header, channel, new ArgWriter().Short(classId).Short(0).LongLong(bodySize).Short(0).ToArray());

    public static byte[] Body(ushort channel, ReadOnlySpan<byte> body) => Frame(FrameType.Body, channel, body);

    public static byte[] Heartbeat(ushort channel = 0) => Frame(FrameType.Heartbeat, channel, []);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    // connection class (10)

    public static Dictionary<string, object?> ClientProperties(bool authenticationFailureClose = true) => new()
    {
        ["product"] = "OrleansBroker.Tests.Wire",
        ["capabilities"] = new Dictionary<string, object?>
        {
            ["authentication_failure_close"] = authenticationFailureClose,
            ["connection.blocked"] = true,
            ["consumer_cancel_notify"] = true,
        },
    };

    public static byte[] StartOk(string mechanism, byte[] response, IReadOnlyDictionary<string, object?>? clientProperties = null, string locale = "en_US") =>
        Method(0, 10, 11, new ArgWriter()
            .Table(clientProperties ?? ClientProperties())
            .ShortStr(mechanism)
            .LongStr(response)
            .ShortStr(locale));

    public static byte[] PlainResponse(string user, string password) => Encoding.UTF8.GetBytes($"\0{user}\0{password}");

    /// <summary>AMQPLAIN: a field table without its length prefix holding LOGIN and PASSWORD.</summary>
    public static byte[] AmqPlainResponse(string user, string password) =>
        ArgWriter.EncodeTableBody(new Dictionary<string, object?> { ["LOGIN"] = user, ["PASSWORD"] = password });

    public static byte[] TuneOk(ushort channelMax, uint frameMax, ushort heartbeat) =>
        Method(0, 10, 31, new ArgWriter().Short(channelMax).Long(frameMax).Short(heartbeat));

    public static byte[] ConnectionOpen(string vhost) =>
        Method(0, 10, 40, new ArgWriter().ShortStr(vhost).ShortStr(string.Empty).Bit(false));

    public static byte[] ConnectionClose(ushort code = 200, string text = "bye", ushort classId = 0, ushort methodId = 0) =>
        Method(0, 10, 50, new ArgWriter().Short(code).ShortStr(text).Short(classId).Short(methodId));

    public static byte[] ConnectionCloseOk() => Method(0, 10, 51);

    // channel class (20)

    public static byte[] ChannelOpen(ushort channel) => Method(channel, 20, 10, new ArgWriter().ShortStr(string.Empty));

    public static byte[] ChannelClose(ushort channel, ushort code = 200, string text = "bye") =>
        Method(channel, 20, 40, new ArgWriter().Short(code).ShortStr(text).Short(0).Short(0));

    public static byte[] ChannelCloseOk(ushort channel) => Method(channel, 20, 41);

    // queue (50) and basic (60)

    public static byte[] QueueDeclare(ushort channel, string queue, bool passive = false, bool durable = false, bool exclusive = false, bool autoDelete = false) =>
        Method(channel, 50, 10, new ArgWriter()
            .Short(0)
            .ShortStr(queue)
            .Bit(passive).Bit(durable).Bit(exclusive).Bit(autoDelete).Bit(false)
            .Table(new Dictionary<string, object?>()));

    public static byte[] QueueDelete(ushort channel, string queue) =>
        Method(channel, 50, 40, new ArgWriter().Short(0).ShortStr(queue).Bit(false).Bit(false).Bit(false));

    public static byte[] BasicPublish(ushort channel, string exchange, string routingKey, bool mandatory = false) =>
        Method(channel, 60, 40, new ArgWriter().Short(0).ShortStr(exchange).ShortStr(routingKey).Bit(mandatory).Bit(false));

    public static byte[] BasicGet(ushort channel, string queue, bool noAck = true) =>
        Method(channel, 60, 70, new ArgWriter().Short(0).ShortStr(queue).Bit(noAck));

    /// <summary>basic.publish, its content header and the body in frames of at most <paramref name="maxBodyFrame"/> octets.</summary>
    public static byte[] Publish(ushort channel, string exchange, string routingKey, byte[] body, int maxBodyFrame = 131072 - 8)
    {
        var parts = new List<byte[]> { BasicPublish(channel, exchange, routingKey), ContentHeader(channel, (ulong)body.Length) };
        for (var offset = 0; offset < body.Length; offset += maxBodyFrame)
        {
            parts.Add(Body(channel, body.AsSpan(offset, Math.Min(maxBodyFrame, body.Length - offset))));
        }

        return Concat([.. parts]);
    }

    /// <summary>How RabbitMQ prints a binary in error texts: &lt;&lt;0,20,0,10,0&gt;&gt;.</summary>
    public static string ErlangBinary(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder("<<");
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(bytes[i]);
        }

        return sb.Append(">>").ToString();
    }
}
