using System.Buffers.Binary;
using System.Diagnostics;
using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>
/// Publishes at a fixed rate (paced in ~1 ms ticks) to one queue with one consumer; each 16 B body carries its send
/// timestamp; end-to-end latency = receive − send, in the same process. The first seconds are warm-up.
/// </summary>
public sealed class LatencyScenario(int rate) : Scenario
{
    public override string Name => $"latency-{rate}";

    public override string Description =>
        $"fixed rate {rate:#,0} msg/s, 16 B transient, non-durable queue, 1 consumer, manual ack each, prefetch; end-to-end p50/p99/p99.9/max";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        var warmup = (int)(options.LatencyWarmupSeconds * rate);
        var total = warmup + (int)(options.LatencySeconds * rate);
        var latencies = new double[total];
        Array.Fill(latencies, double.NaN);
        var queue = Amqp.UniqueName(Name);
        IConnection? publisherConnection = null;
        IConnection? consumerConnection = null;
        try
        {
            publisherConnection = await Amqp.ConnectAsync(target, $"{Name}-publisher", ct);
            consumerConnection = await Amqp.ConnectAsync(target, $"{Name}-consumer", ct);
            var publisher = await publisherConnection.CreateChannelAsync(cancellationToken: ct);
            await publisher.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: ct);
            var consumerChannel = await consumerConnection.CreateChannelAsync(cancellationToken: ct);
            await consumerChannel.BasicQosAsync(0, options.Prefetch, false, ct);
            var consumer = new CountingConsumer(consumerChannel, AckMode.Each)
            {
                OnDelivery = (body, _) =>
                {
                    var now = Stopwatch.GetTimestamp();
                    var span = body.Span;
                    var sent = BinaryPrimitives.ReadInt64LittleEndian(span);
                    var seq = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
                    if (seq >= 0 && seq < latencies.Length)
                    {
                        latencies[seq] = (now - sent) * 1000.0 / Stopwatch.Frequency;
                    }
                },
            };
            await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
            var allConsumed = consumer.WhenCountAsync(total);

            var buffer = new byte[16];
            var properties = Publisher.Properties(persistent: false);
            var exchange = new CachedString("");
            var routingKey = new CachedString(queue);
            var deadline = DeadlineAfter(TimeSpan.FromSeconds(options.LatencyWarmupSeconds + options.LatencySeconds) + options.RunTimeout);
            var begin = Stopwatch.GetTimestamp();
            var measuredStart = default(CpuSnapshot);
            long lastPublish = begin;
            var i = 0;
            while (i < total && Stopwatch.GetTimestamp() < deadline)
            {
                var due = Math.Min(total, (long)(Seconds(begin, Stopwatch.GetTimestamp()) * rate) + 1);
                while (i < due)
                {
                    if (i == warmup)
                    {
                        measuredStart = CpuSnapshot.Take(target);
                    }

                    BinaryPrimitives.WriteInt64LittleEndian(buffer, Stopwatch.GetTimestamp());
                    BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(8), i);
                    // The client copies the body into its outgoing frame before the publish completes.
                    await publisher.BasicPublishAsync(exchange, routingKey, false, properties, buffer, ct);
                    i++;
                }

                lastPublish = Stopwatch.GetTimestamp();
                if (i < total)
                {
                    await Task.Delay(1, ct);
                }
            }

            var (done, _) = await WaitUntilAsync(allConsumed, deadline, ct);
            var end = CpuSnapshot.Take(target);
            var measured = latencies.AsSpan(warmup).ToArray();
            var received = measured.Where(l => !double.IsNaN(l)).Order().ToArray();
            result.Set("rate_achieved_msg_s", (i - warmup) / Seconds(measuredStart.Timestamp, lastPublish));
            result.Set("p50_ms", Percentile(received, 0.50));
            result.Set("p99_ms", Percentile(received, 0.99));
            result.Set("p999_ms", Percentile(received, 0.999));
            result.Set("max_ms", received.Length > 0 ? received[^1] : double.NaN);
            measuredStart.Report(end, received.Length, result);
            if (!done || received.Length != measured.Length)
            {
                result.Fail($"received {received.Length} of {measured.Length} measured messages (published {i} of {total})");
            }
        }
        finally
        {
            await Amqp.CloseQuietlyAsync(consumerConnection);
            await ThroughputScenario.DeleteQueuesAsync(publisherConnection, [queue]);
            await Amqp.CloseQuietlyAsync(publisherConnection);
        }
    }
}
