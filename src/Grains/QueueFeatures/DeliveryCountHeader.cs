using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// The x-delivery-count header quorum queues put on the messages they hand out (rabbit_fifo_client): how many times
/// the message was returned before. basic.get always carries it (0 on a first delivery); a delivery to a consumer
/// carries it only once the message has been returned, and is then flagged redelivered. It is set as RabbitMQ sets a
/// header (a long, replacing any x-delivery-count the publisher sent, headers re-sorted by key) on the copy handed out,
/// not on the queued message. Observed: consume → no header, then 1, 2 after each nack with requeue; basic.get → 0 first.
/// </summary>
public static class DeliveryCountHeader
{
    public const string Name = "x-delivery-count";

    /// <summary>Whether a delivery carries the header: always for basic.get, after a return for consumers.</summary>
    public static bool IsCarried(long deliveryCount, bool basicGet) => basicGet || deliveryCount > 0;

    /// <summary>The raw properties with x-delivery-count set to <paramref name="deliveryCount"/>.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> properties, long deliveryCount)
    {
        var decoded = BasicPropertiesReader.Read(properties);
        var headers = FieldTableEdits.SetValue(decoded.Headers ?? FieldTable.Empty, Name, deliveryCount);
        return BasicPropertiesWriter.ToArray(decoded with { Headers = FieldTableEdits.ToTable(headers) });
    }
}
