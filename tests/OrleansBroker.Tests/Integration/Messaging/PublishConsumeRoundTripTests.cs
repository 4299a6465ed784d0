using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>What goes in comes out: bodies byte for byte, every basic property, the delivery's envelope, order.</summary>
public sealed class PublishConsumeRoundTripTests : MessagingTestBase, IClassFixture<BrokerFixture>
{
    public PublishConsumeRoundTripTests(BrokerFixture fixture)
        : base(fixture)
    {
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(131_064)] // exactly one body frame at RabbitMQ's default frame_max of 131072 (frame overhead is 8)
    [InlineData(131_065)] // one byte more: two body frames
    [InlineData(1024 * 1024)] // 1 MiB: many frames
    [InlineData(5 * 1024 * 1024)]
    public async Task Body_of_any_size_arrives_byte_for_byte(int size)
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var body = new byte[size];
        new Random(size).NextBytes(body);

        await ch.BasicPublishAsync(string.Empty, q, body);

        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, consumer);
        var d = await consumer.NextAsync();
        Assert.Equal(size, d.Body.Length);
        Assert.True(body.AsSpan().SequenceEqual(d.Body), "body bytes differ");
    }

    [Fact]
    public async Task Large_body_arrives_intact_through_basic_get_too()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var body = new byte[(1024 * 1024) + 7];
        new Random(42).NextBytes(body);

        await ch.BasicPublishAsync(string.Empty, q, body);

        var got = await GetAsync(ch, q, autoAck: true);
        Assert.True(body.AsSpan().SequenceEqual(got.Body.Span), "body bytes differ");
    }

    [Fact]
    public async Task Every_basic_property_round_trips()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var props = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "gzip",
            DeliveryMode = DeliveryModes.Persistent,
            Priority = 7,
            CorrelationId = "corr-123",
            ReplyTo = "reply-queue",
            Expiration = "60000",
            MessageId = "msg-456",
            Timestamp = new AmqpTimestamp(1_700_000_000),
            Type = "order.created",
            UserId = "guest",
            AppId = "orleansbroker-tests",
            ClusterId = "cluster-x",
            Headers = new Dictionary<string, object?> { ["h"] = "v" },
        };

        await ch.BasicPublishAsync(string.Empty, q, mandatory: false, props, Utf8("props"));

        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, consumer);
        var p = (await consumer.NextAsync()).Properties;
        Assert.Equal("application/json", p.ContentType);
        Assert.Equal("gzip", p.ContentEncoding);
        Assert.Equal(DeliveryModes.Persistent, p.DeliveryMode);
        Assert.True(p.Persistent);
        Assert.Equal(7, p.Priority);
        Assert.Equal("corr-123", p.CorrelationId);
        Assert.Equal("reply-queue", p.ReplyTo);
        Assert.Equal("60000", p.Expiration);
        Assert.Equal("msg-456", p.MessageId);
        Assert.Equal(1_700_000_000, p.Timestamp.UnixTime);
        Assert.Equal("order.created", p.Type);
        Assert.Equal("guest", p.UserId);
        Assert.Equal("orleansbroker-tests", p.AppId);
        Assert.Equal("cluster-x", p.ClusterId);
        Assert.NotNull(p.Headers);
        Assert.Equal(Utf8("v"), Assert.IsType<byte[]>(p.Headers["h"]));
    }

    [Fact]
    public async Task Absent_properties_stay_absent()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await ch.BasicPublishAsync(string.Empty, q, Utf8("bare"));

        var got = await GetAsync(ch, q, autoAck: true);
        var p = got.BasicProperties;
        Assert.False(p.IsContentTypePresent());
        Assert.False(p.IsContentEncodingPresent());
        Assert.False(p.IsHeadersPresent());
        Assert.False(p.IsDeliveryModePresent());
        Assert.False(p.IsPriorityPresent());
        Assert.False(p.IsCorrelationIdPresent());
        Assert.False(p.IsReplyToPresent());
        Assert.False(p.IsExpirationPresent());
        Assert.False(p.IsMessageIdPresent());
        Assert.False(p.IsTimestampPresent());
        Assert.False(p.IsTypePresent());
        Assert.False(p.IsUserIdPresent());
        Assert.False(p.IsAppIdPresent());
        Assert.False(p.IsClusterIdPresent());
    }

    [Fact]
    public async Task Transient_delivery_mode_round_trips()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await ch.BasicPublishAsync(string.Empty, q, false, new BasicProperties { DeliveryMode = DeliveryModes.Transient }, Utf8("t"));

        var got = await GetAsync(ch, q, autoAck: true);
        Assert.True(got.BasicProperties.IsDeliveryModePresent());
        Assert.Equal(DeliveryModes.Transient, got.BasicProperties.DeliveryMode);
    }

    [Fact]
    public async Task Headers_of_every_field_type_round_trip()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var timestamp = new AmqpTimestamp(1_234_567_890);
        var headers = new Dictionary<string, object?>
        {
            ["string"] = "héllo wörld",
            ["int"] = -123_456,
            ["long"] = long.MinValue + 1,
            ["bool-true"] = true,
            ["bool-false"] = false,
            ["double"] = Math.PI,
            ["float"] = 1.5f,
            ["bytes"] = new byte[] { 0, 1, 2, 255 },
            ["decimal"] = 123.45m,
            ["negative-decimal"] = -0.001m,
            ["timestamp"] = timestamp,
            ["table"] = new Dictionary<string, object?> { ["inner"] = "x", ["deeper"] = new Dictionary<string, object?> { ["n"] = 1 } },
            ["list"] = new List<object?> { "a", 2, true, null, new List<object?> { 3L } },
            ["null"] = null,
            ["sbyte"] = (sbyte)-5,
            ["byte"] = (byte)250,
            ["short"] = (short)-300,
            ["ushort"] = (ushort)65000,
            ["uint"] = 4_000_000_000u,
            ["binary"] = new BinaryTableValue([9, 8, 7]),
        };

        await ch.BasicPublishAsync(string.Empty, q, false, new BasicProperties { Headers = headers }, Utf8("headers"));

        var consumer = new CollectingConsumer(ch);
        await ch.BasicConsumeAsync(q, autoAck: true, consumer);
        var h = (await consumer.NextAsync()).Properties.Headers;
        Assert.NotNull(h);
        Assert.Equal(headers.Keys.Order(), h.Keys.Order());
        // The client reads every long string ('S') back as byte[].
        Assert.Equal(Utf8("héllo wörld"), h["string"]);
        Assert.Equal(-123_456, h["int"]);
        Assert.Equal(long.MinValue + 1, h["long"]);
        Assert.Equal(true, h["bool-true"]);
        Assert.Equal(false, h["bool-false"]);
        Assert.Equal(Math.PI, h["double"]);
        Assert.Equal(1.5f, h["float"]);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, h["bytes"]);
        Assert.Equal(123.45m, h["decimal"]);
        Assert.Equal(-0.001m, h["negative-decimal"]);
        Assert.Equal(timestamp, h["timestamp"]);
        var table = Assert.IsType<Dictionary<string, object?>>(h["table"]);
        Assert.Equal(Utf8("x"), table["inner"]);
        var deeper = Assert.IsType<Dictionary<string, object?>>(table["deeper"]);
        Assert.Equal(1, deeper["n"]);
        var list = Assert.IsType<List<object?>>(h["list"]);
        Assert.Equal(5, list.Count);
        Assert.Equal(Utf8("a"), list[0]);
        Assert.Equal(2, list[1]);
        Assert.Equal(true, list[2]);
        Assert.Null(list[3]);
        Assert.Equal(new List<object?> { 3L }, Assert.IsType<List<object?>>(list[4]));
        Assert.True(h.ContainsKey("null"));
        Assert.Null(h["null"]);
        Assert.Equal((sbyte)-5, h["sbyte"]);
        Assert.Equal((byte)250, h["byte"]);
        Assert.Equal((short)-300, h["short"]);
        Assert.Equal((ushort)65000, h["ushort"]);
        Assert.Equal(4_000_000_000u, h["uint"]);
        Assert.Equal(new byte[] { 9, 8, 7 }, Assert.IsType<BinaryTableValue>(h["binary"]).Bytes);
    }

    [Fact]
    public async Task Delivery_carries_exchange_routing_key_consumer_tag_and_first_delivery_flags()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, "amq.direct", "rk-" + q);
        var consumer = new CollectingConsumer(ch);
        var tag = await ch.BasicConsumeAsync(q, autoAck: false, "my-tag", consumer);
        Assert.Equal("my-tag", tag);

        await ch.BasicPublishAsync("amq.direct", "rk-" + q, Utf8("via-direct"));
        await ch.BasicPublishAsync(string.Empty, q, Utf8("via-default"));

        var first = await consumer.NextAsync();
        Assert.Equal("my-tag", first.ConsumerTag);
        Assert.Equal("amq.direct", first.Exchange);
        Assert.Equal("rk-" + q, first.RoutingKey);
        Assert.False(first.Redelivered);
        Assert.Equal(1UL, first.DeliveryTag);
        Assert.Equal("via-direct", first.Text);

        var second = await consumer.NextAsync();
        Assert.Equal(string.Empty, second.Exchange);
        Assert.Equal(q, second.RoutingKey);
        Assert.Equal(2UL, second.DeliveryTag);
        Assert.Equal("via-default", second.Text);
    }

    [Fact]
    public async Task Ten_thousand_messages_arrive_in_publish_order_with_consecutive_tags()
    {
        const int count = 10_000;
        await using var conn = await ConnectAsync();
        await using var pub = await conn.CreateChannelAsync();
        await using var sub = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(pub);
        var consumer = new CollectingConsumer(sub);
        await sub.BasicConsumeAsync(q, autoAck: false, consumer);

        for (var i = 0; i < count; i++)
        {
            await pub.BasicPublishAsync(string.Empty, q, BitConverter.GetBytes(i));
        }

        for (var i = 0; i < count; i++)
        {
            var d = await consumer.NextAsync();
            Assert.Equal(i, BitConverter.ToInt32(d.Body));
            Assert.Equal((ulong)(i + 1), d.DeliveryTag);
            Assert.False(d.Redelivered);
        }

        await sub.BasicAckAsync((ulong)count, multiple: true);
        await WaitForReadyCountAsync(pub, q, 0);
    }

    [Fact]
    public async Task Publish_with_own_user_id_is_accepted()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await ch.BasicPublishAsync(string.Empty, q, false, new BasicProperties { UserId = "guest" }, Utf8("me"));

        var got = await GetAsync(ch, q, autoAck: true);
        Assert.Equal("guest", got.BasicProperties.UserId);
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Publish_with_someone_elses_user_id_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var reason = await ExpectChannelClosedAsync(ch, () =>
            ch.BasicPublishAsync(string.Empty, q, false, new BasicProperties { UserId = "bob" }, Utf8("impostor")).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'guest'", 60, 40);
        Assert.True(conn.IsOpen);
        await using var check = await conn.CreateChannelAsync();
        Assert.Equal(0u, (await check.QueueDeclarePassiveAsync(q)).MessageCount);
    }

    [Fact]
    public async Task Publish_to_a_missing_exchange_closes_the_channel_with_404()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var exchange = BrokerFixture.UniqueName("no-such-exchange");

        var reason = await ExpectChannelClosedAsync(ch, () => ch.BasicPublishAsync(exchange, "rk", Utf8("x")).AsTask());

        AssertReason(reason, 404, $"NOT_FOUND - no exchange '{exchange}' in vhost '/'", 60, 40);
        Assert.True(conn.IsOpen);
    }

    [Fact]
    public async Task Publish_with_a_non_numeric_expiration_closes_the_channel_with_406()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var reason = await ExpectChannelClosedAsync(ch, () =>
            ch.BasicPublishAsync(string.Empty, q, false, new BasicProperties { Expiration = "soon" }, Utf8("x")).AsTask());

        AssertReason(reason, 406, "PRECONDITION_FAILED - invalid expiration 'soon': no_integer", 60, 40);
    }

    [Fact]
    public async Task Publish_to_the_default_exchange_with_an_unknown_queue_name_is_silently_dropped()
    {
        await using var conn = await ConnectAsync();
        await using var ch = await conn.CreateChannelAsync();

        await ch.BasicPublishAsync(string.Empty, BrokerFixture.UniqueName("nobody-home"), Utf8("lost"));

        // Not mandatory: no return, no error; the channel stays usable.
        await AssertChannelUsableAsync(ch);
    }
}
