using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>
/// 1 publisher connection, 1 consumer connection, one queue, prefetch N, manual ack (each, or multiple every 100).
/// Transient: non-durable queue, no confirms. Persistent: durable queue, delivery_mode 2, publisher confirms with a window.
/// </summary>
public sealed class ThroughputScenario(string name, int bodySize, bool persistent, AckMode ackMode) : Scenario
{
    public override string Name => name;

    public override string Description => persistent
        ? $"durable queue, {bodySize} B persistent messages, confirms in flight ≤ window, manual ack each, prefetch"
        : $"non-durable queue, {bodySize} B transient messages, manual ack {(ackMode == AckMode.Each ? "each" : "multiple every 100")}, prefetch";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        var count = persistent ? options.PersistentMessages : options.Messages;
        var warmup = Math.Min(options.Warmup, count);
        var queue = Amqp.UniqueName(name);
        IConnection? publisherConnection = null;
        IConnection? consumerConnection = null;
        try
        {
            publisherConnection = await Amqp.ConnectAsync(target, $"{name}-publisher", ct);
            consumerConnection = await Amqp.ConnectAsync(target, $"{name}-consumer", ct);
            var publisher = await publisherConnection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: persistent, publisherConfirmationTrackingEnabled: false), ct);
            await publisher.QueueDeclareAsync(queue, durable: persistent, exclusive: false, autoDelete: false, cancellationToken: ct);
            var window = persistent ? new ConfirmWindow(publisher, options.ConfirmWindow) : null;

            var consumerChannel = await consumerConnection.CreateChannelAsync(cancellationToken: ct);
            await consumerChannel.BasicQosAsync(0, options.Prefetch, false, ct);
            var consumer = new CountingConsumer(consumerChannel, ackMode);
            await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);

            var body = Amqp.Body(bodySize);
            var properties = Publisher.Properties(persistent);
            var exchange = new CachedString("");
            var routingKey = new CachedString(queue);

            // Warm-up: the same path, not counted; rounds of `warmup` messages until WarmupSeconds have passed, so the
            // broker's (and the client's) JIT has tiered up before the measured run.
            var warmDeadline = DeadlineAfter(options.RunTimeout);
            var warmUntil = DeadlineAfter(TimeSpan.FromSeconds(options.WarmupSeconds));
            var warmed = 0;
            do
            {
                var warmConsumed = consumer.WhenCountAsync(warmed + warmup);
                await Publisher.PublishAsync(publisher, exchange, routingKey, properties, body, warmup, window, warmDeadline, ct);
                warmed += warmup;
                if (!(await WaitUntilAsync(warmConsumed, warmDeadline, ct)).Done)
                {
                    result.Fail($"warm-up timed out: consumed {consumer.Count} of {warmed}");
                    return;
                }
            }
            while (System.Diagnostics.Stopwatch.GetTimestamp() < warmUntil && warmup > 0 && warmed < 50 * warmup);

            // Measured.
            var deadline = DeadlineAfter(options.RunTimeout);
            var consumed = consumer.WhenCountAsync(warmed + count);
            var confirmed = window?.WhenSettledAsync(warmed + count);
            var start = CpuSnapshot.Take(target);
            var (published, publishedAt) = await Publisher.PublishAsync(publisher, exchange, routingKey, properties, body, count, window, deadline, ct);
            result.Set("published_msg_s", published / Seconds(start.Timestamp, publishedAt));
            if (confirmed is not null)
            {
                var (done, at) = await WaitUntilAsync(confirmed, deadline, ct);
                if (done)
                {
                    result.Set("confirmed_msg_s", count / Seconds(start.Timestamp, at));
                }
            }

            var (allConsumed, consumedAt) = await WaitUntilAsync(consumed, deadline, ct);
            var end = CpuSnapshot.Take(target);
            var got = consumer.Count - warmed;
            result.Set("consumed_msg_s", got / Seconds(start.Timestamp, consumedAt));
            start.Report(end, got, result);
            if (published < count || !allConsumed)
            {
                result.Fail($"timed out after {options.RunTimeout.TotalSeconds:0} s: published {published}, consumed {got} of {count}");
            }

            if (window is { Nacked: > 0 })
            {
                result.Fail($"{window.Nacked} publishes nacked");
            }

            // Count check: nothing more than what was published arrives.
            await Task.Delay(200, ct);
            if (consumer.Count != warmed + count && allConsumed)
            {
                result.Fail($"consumed {consumer.Count - warmed}, published {count}");
            }

            if (consumer.Redelivered > 0)
            {
                result.Fail($"{consumer.Redelivered} redelivered");
            }
        }
        finally
        {
            await Amqp.CloseQuietlyAsync(consumerConnection);
            await DeleteQueuesAsync(publisherConnection, [queue]);
            await Amqp.CloseQuietlyAsync(publisherConnection);
        }
    }

    internal static async Task DeleteQueuesAsync(IConnection? connection, IEnumerable<string> queues)
    {
        if (connection is not { IsOpen: true })
        {
            return;
        }

        try
        {
            await using var channel = await connection.CreateChannelAsync();
            foreach (var queue in queues)
            {
                await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
    }
}
