using OrleansBroker.Amqp;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class DeadLetteringTests
{
    public static TheoryData<DeadLetterObservation> Observations()
    {
        var data = new TheoryData<DeadLetterObservation>();
        foreach (var observation in ReferenceDeadLetterObservations.All)
        {
            data.Add(observation);
        }

        return data;
    }

    /// <summary>Byte for byte what the reference broker delivered from the dead-letter queue for the same message and death.</summary>
    [Theory]
    [MemberData(nameof(Observations))]
    public void Writes_the_properties_RabbitMQ_writes(DeadLetterObservation observation)
    {
        var expected = Convert.FromHexString(observation.DeadHex);

        var result = DeadLettering.Prepare(
            Convert.FromHexString(observation.PublishedHex),
            observation.Reason,
            observation.Queue,
            observation.Exchange,
            observation.RoutingKeys,
            observation.DeadLetterExchange,
            observation.DeadLetterRoutingKey,
            TimeOfNewestDeath(expected));

        Assert.Equal(observation.DeadHex, Convert.ToHexString(result.Properties).ToLowerInvariant());
        Assert.Equal(observation.DeadLetterExchange, result.Exchange);
        Assert.Equal(observation.DeadLetterRoutingKey ?? observation.RoutingKeys[0], result.RoutingKeys[0]);
    }

    [Fact]
    public void Routes_by_the_dead_letter_routing_key_alone_when_the_queue_has_one()
    {
        var result = DeadLettering.Prepare(Properties(new MessageProperties()), DeadLetterReason.Rejected, "q", "src", ["k1", "k2"], "dlx", "dlrk", DateTimeOffset.UnixEpoch);

        Assert.Equal(["dlrk"], result.RoutingKeys);
    }

    /// <summary>RabbitMQ keeps routing by every routing key the message had, BCC's included (its stored routing keys).</summary>
    [Fact]
    public void Routes_by_all_the_message_routing_keys_without_a_dead_letter_routing_key()
    {
        var result = DeadLettering.Prepare(Properties(new MessageProperties()), DeadLetterReason.Rejected, "q", "src", ["k1", "cc", "bcc"], "dlx", null, DateTimeOffset.UnixEpoch);

        Assert.Equal(["k1", "cc", "bcc"], result.RoutingKeys);
    }

    [Fact]
    public void Removes_the_expiration_and_keeps_it_as_original_expiration()
    {
        var result = DeadLettering.Prepare(
            Properties(new MessageProperties { Expiration = "5000", MessageId = "m" }), DeadLetterReason.Expired, "q", "", ["q"], "dlx", null, DateTimeOffset.UnixEpoch);

        var properties = BasicPropertiesReader.Read(result.Properties);
        Assert.Null(properties.Expiration);
        Assert.Equal("m", properties.MessageId);
        var death = Assert.IsType<FieldTable>(Assert.Single(XDeath(properties)));
        Assert.Equal("5000", death.GetString("original-expiration"));
    }

    [Fact]
    public void Removes_CC_when_a_dead_letter_routing_key_replaces_the_routing_keys_but_records_them()
    {
        var headers = new FieldTable([new("CC", new object?[] { "c1" })]);

        var result = DeadLettering.Prepare(Properties(new MessageProperties { Headers = headers }), DeadLetterReason.Rejected, "q", "x", ["k", "c1"], "dlx", "dlrk", DateTimeOffset.UnixEpoch);

        var properties = BasicPropertiesReader.Read(result.Properties);
        Assert.False(properties.Headers!.ContainsKey("CC"));
        var death = Assert.IsType<FieldTable>(Assert.Single(XDeath(properties)));
        Assert.True(death.TryGetValue("routing-keys", out var routingKeys));
        Assert.Equal(new object?[] { "k", "c1" }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(routingKeys));
    }

    [Fact]
    public void A_message_without_headers_gets_them()
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var result = DeadLettering.Prepare(Properties(new MessageProperties()), DeadLetterReason.MaxLength, "q", "", ["q"], "dlx", null, time);

        var headers = BasicPropertiesReader.Read(result.Properties).Headers!;
        Assert.Equal(["x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason"], headers.Select(h => h.Key));
        var death = Assert.IsType<FieldTable>(Assert.Single(XDeath(BasicPropertiesReader.Read(result.Properties))));
        Assert.Equal(["count", "reason", "queue", "time", "exchange", "routing-keys"], death.Select(e => e.Key));
        Assert.Equal(1L, death[0].Value);
        Assert.Equal("maxlen", death.GetString("reason"));
        Assert.Equal(new AmqpTimestamp(1_700_000_000), death[3].Value);
    }

    [Fact]
    public void Refuses_a_message_without_routing_keys()
    {
        Assert.Throws<ArgumentException>(() => DeadLettering.Prepare(Properties(new MessageProperties()), DeadLetterReason.Rejected, "q", "", [], "dlx", null, DateTimeOffset.UnixEpoch));
    }

    private static byte[] Properties(MessageProperties properties) => BasicPropertiesWriter.ToArray(properties);

    private static IReadOnlyList<object?> XDeath(MessageProperties properties) =>
        Assert.IsAssignableFrom<IReadOnlyList<object?>>(Assert.IsType<FieldTable>(properties.Headers).TryGetValue("x-death", out var value) ? value : null);

    // The reference broker stamped its own clock; a recorded expectation is reproduced with the time it recorded.
    private static DateTimeOffset TimeOfNewestDeath(byte[] expected)
    {
        var headers = BasicPropertiesReader.Read(expected).Headers;
        if (headers is not null && headers.TryGetValue("x-death", out var value) && value is IReadOnlyList<object?> { Count: > 0 } deaths
            && deaths[0] is FieldTable newest && newest.TryGetValue("time", out var time) && time is AmqpTimestamp timestamp)
        {
            return DateTimeOffset.FromUnixTimeSeconds((long)timestamp.UnixSeconds);
        }

        return DateTimeOffset.UnixEpoch;
    }
}
