using System.Buffers.Binary;
using System.Text;

namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>
/// The octets a test sends, frame by frame. Written from the spec and sharing no code with the broker's codec:
/// a second implementation is the oracle, and it can build frames the broker's writer never would (wrong sizes,
/// bad frame ends, truncated arguments).
/// </summary>
internal static class Frames
{
    public const byte FrameEnd = 0xCE;

    /// <summary>What the handshake asks for and what both RabbitMQ and our broker propose.</summary>
    public const uint DefaultFrameMax = 131072;

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

    public static byte[] Method(ushort channel, ushort classId, ushort methodId, byte[]? args = null, byte frameEnd = FrameEnd)
    {
        args ??= [];
        var payload = new byte[4 + args.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, classId);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), methodId);
        args.CopyTo(payload, 4);
        return Frame(FrameType.Method, channel, payload, frameEnd);
    }

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
        ["product"] = "OrleansBroker.Tests.RawAmqp",
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

    public static byte[] ChannelFlow(ushort channel, bool active) => Method(channel, 20, 20, new ArgWriter().Bit(active));

    public static byte[] ChannelClose(ushort channel, ushort code = 200, string text = "bye") =>
        Method(channel, 20, 40, new ArgWriter().Short(code).ShortStr(text).Short(0).Short(0));

    public static byte[] ChannelCloseOk(ushort channel) => Method(channel, 20, 41);

    // exchange (40) and queue (50)

    public static byte[] ExchangeDeclare(
        ushort channel, string exchange, string type, bool passive = false, bool durable = false, bool autoDelete = false, bool @internal = false) =>
        Method(channel, 40, 10, new ArgWriter()
            .Short(0)
            .ShortStr(exchange)
            .ShortStr(type)
            .Bit(passive).Bit(durable).Bit(autoDelete).Bit(@internal).Bit(false)
            .Table(new Dictionary<string, object?>()));

    public static byte[] QueueDeclare(ushort channel, string queue, bool passive = false, bool durable = false, bool exclusive = false, bool autoDelete = false) =>
        Method(channel, 50, 10, new ArgWriter()
            .Short(0)
            .ShortStr(queue)
            .Bit(passive).Bit(durable).Bit(exclusive).Bit(autoDelete).Bit(false)
            .Table(new Dictionary<string, object?>()));

    public static byte[] QueueDelete(ushort channel, string queue) =>
        Method(channel, 50, 40, new ArgWriter().Short(0).ShortStr(queue).Bit(false).Bit(false).Bit(false));

    // basic (60), confirm (85), tx (90)

    public static byte[] BasicConsume(ushort channel, string queue, string consumerTag, bool noAck = false) =>
        Method(channel, 60, 20, new ArgWriter()
            .Short(0)
            .ShortStr(queue)
            .ShortStr(consumerTag)
            .Bit(false).Bit(noAck).Bit(false).Bit(false)
            .Table(new Dictionary<string, object?>()));

    public static byte[] BasicPublish(ushort channel, string exchange, string routingKey, bool mandatory = false, bool immediate = false) =>
        Method(channel, 60, 40, new ArgWriter().Short(0).ShortStr(exchange).ShortStr(routingKey).Bit(mandatory).Bit(immediate));

    public static byte[] BasicGet(ushort channel, string queue, bool noAck = true) =>
        Method(channel, 60, 70, new ArgWriter().Short(0).ShortStr(queue).Bit(noAck));

    public static byte[] BasicAck(ushort channel, ulong deliveryTag, bool multiple = false) =>
        Method(channel, 60, 80, new ArgWriter().LongLong(deliveryTag).Bit(multiple));

    /// <summary>basic.recover-async: deprecated, and unlike basic.recover it has no reply.</summary>
    public static byte[] BasicRecoverAsync(ushort channel, bool requeue) => Method(channel, 60, 100, new ArgWriter().Bit(requeue));

    public static byte[] BasicRecover(ushort channel, bool requeue) => Method(channel, 60, 110, new ArgWriter().Bit(requeue));

    public static byte[] ConfirmSelect(ushort channel) => Method(channel, 85, 10, new ArgWriter().Bit(false));

    public static byte[] TxSelect(ushort channel) => Method(channel, 90, 10);

    /// <summary>
    /// basic.publish, its content header and the body in frames of at most <paramref name="maxBodyFrame"/> octets
    /// (a frame of frame_max octets has frame_max − 8 octets of payload).
    /// </summary>
    public static byte[] Publish(
        ushort channel, string exchange, string routingKey, byte[] body, int maxBodyFrame = (int)DefaultFrameMax - 8, bool mandatory = false, bool immediate = false)
    {
        var parts = new List<byte[]> { BasicPublish(channel, exchange, routingKey, mandatory, immediate), ContentHeader(channel, (ulong)body.Length) };
        for (var offset = 0; offset < body.Length; offset += maxBodyFrame)
        {
            parts.Add(Body(channel, body.AsSpan(offset, Math.Min(maxBodyFrame, body.Length - offset))));
        }

        return Concat([.. parts]);
    }
}
