using OrleansBroker.Amqp;

namespace OrleansBroker.Microbenchmarks.Framing;

/// <summary>
/// Raw basic-class property lists (flags and values, as a content header carries them) that the framing
/// benchmarks read and write.
/// </summary>
internal static class SampleProperties
{
    /// <summary>delivery-mode 2 and nothing else: a persistent publish with default properties.</summary>
    public static byte[] PersistentOnly { get; } = Encode(new MessageProperties { DeliveryMode = 2 });

    /// <summary>What an application commonly sets: content type, two headers, persistence, a message id, a timestamp.</summary>
    public static byte[] Typical { get; } = Encode(new MessageProperties
    {
        ContentType = "application/json",
        Headers = new FieldTable(
        [
            KeyValuePair.Create<string, object?>("format", "pdf"),
            KeyValuePair.Create<string, object?>("type", "report4"),
        ]),
        DeliveryMode = 2,
        MessageId = "3f2c9a1e-5b7d-4c2a-9e0f-1a2b3c4d5e6f",
        Timestamp = new AmqpTimestamp(1_763_700_000),
    });

    private static byte[] Encode(MessageProperties properties)
    {
        var raw = new byte[BasicPropertiesWriter.GetSize(properties)];
        var writer = new AmqpWriter(raw);
        BasicPropertiesWriter.Write(properties, ref writer);
        return raw;
    }
}
