using System.Diagnostics;
using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

internal static class Publisher
{
    /// <summary>
    /// Publishes <paramref name="count"/> copies of <paramref name="body"/> as fast as the channel takes them (inside the
    /// confirm window when there is one). Stops early at <paramref name="deadline"/>. Returns how many were published and
    /// the timestamp after the last one.
    /// </summary>
    public static async Task<(int Published, long Timestamp)> PublishAsync(IChannel channel, CachedString exchange, CachedString routingKey,
        BasicProperties properties, ReadOnlyMemory<byte> body, int count, ConfirmWindow? window, long deadline, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            if ((i & 1023) == 0 && Stopwatch.GetTimestamp() > deadline)
            {
                return (i, Stopwatch.GetTimestamp());
            }

            if (window is not null)
            {
                await window.BeforePublishAsync(ct);
            }

            await channel.BasicPublishAsync(exchange, routingKey, false, properties, body, ct);
        }

        return (count, Stopwatch.GetTimestamp());
    }

    public static BasicProperties Properties(bool persistent) => new()
    {
        DeliveryMode = persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
    };
}
