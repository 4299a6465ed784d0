using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// Makes the message a queue publishes to its dead-letter exchange, as RabbitMQ 3.10 does (rabbit_dead_letter:
/// make_msg): the death is recorded in the headers (<see cref="DeathHeaders"/>) with x-death routing-keys = the
/// message's first routing key and its CC keys; with a dead-letter routing key the CC header is then removed and the
/// message is routed by that key alone, else by all its routing keys; the expiration property is removed (its value
/// kept as x-death's original-expiration). All other properties are kept as they were. BCC, which RabbitMQ strips at
/// publish, is removed here too in case the properties still carry it. The result matches the reference broker's
/// bytes for the same input (see the tests' recorded observations).
/// </summary>
public static class DeadLettering
{
    /// <param name="properties">The message's raw content-header properties.</param>
    /// <param name="reason">Why it dies.</param>
    /// <param name="queueName">The queue it dies in.</param>
    /// <param name="exchange">The exchange it was published to (or last dead-lettered through).</param>
    /// <param name="routingKeys">Its routing keys: the one it was published (or last dead-lettered) with, then CC's and BCC's keys.</param>
    /// <param name="deadLetterExchange">The queue's dead-letter exchange.</param>
    /// <param name="deadLetterRoutingKey">The queue's dead-letter routing key, null when it has none.</param>
    /// <param name="time">When it dies.</param>
    public static DeadLetteredMessage Prepare(
        ReadOnlySpan<byte> properties,
        DeadLetterReason reason,
        string queueName,
        string exchange,
        IReadOnlyList<string> routingKeys,
        string deadLetterExchange,
        string? deadLetterRoutingKey,
        DateTimeOffset time)
    {
        if (routingKeys.Count == 0)
        {
            throw new ArgumentException("a message has at least its own routing key", nameof(routingKeys));
        }

        var decoded = BasicPropertiesReader.Read(properties);
        IReadOnlyList<KeyValuePair<string, object?>> headers = decoded.Headers is { } table
            ? FieldTableEdits.Delete(table, SenderSelectedDistribution.BlindCarbonCopy)
            : [];

        IReadOnlyList<string> deathRoutingKeys = [routingKeys[0], .. SenderSelectedDistribution.HeaderRoutes(headers)];
        var updated = DeathHeaders.Record(headers, reason, queueName, exchange, deathRoutingKeys, time, decoded.Expiration);
        if (deadLetterRoutingKey is not null)
        {
            updated = FieldTableEdits.Delete(updated, SenderSelectedDistribution.CarbonCopy);
        }

        var rewritten = decoded with { Headers = FieldTableEdits.ToTable(updated), Expiration = null };
        return new DeadLetteredMessage(
            deadLetterExchange,
            deadLetterRoutingKey is null ? routingKeys : [deadLetterRoutingKey],
            BasicPropertiesWriter.ToArray(rewritten));
    }
}
