using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>1 publisher → fanout exchange → Q queues → Q consumers (one connection each), 16 B transient, multi-ack every 100.</summary>
public sealed class FanoutScenario : Scenario
{
    public override string Name => "fanout";

    public override string Description =>
        "1 publisher → fanout exchange → 10 non-durable queues → 10 consumers (own connection each), 16 B transient, prefetch, manual multi-ack every 100";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        var count = options.FanoutMessages;
        var warmup = Math.Min(options.Warmup / options.FanoutQueues, count);
        var exchangeName = Amqp.UniqueName("fanout-x");
        var queues = Enumerable.Range(0, options.FanoutQueues).Select(_ => Amqp.UniqueName("fanout")).ToArray();
        IConnection? publisherConnection = null;
        var consumerConnections = new List<IConnection>();
        try
        {
            publisherConnection = await Amqp.ConnectAsync(target, "fanout-publisher", ct);
            var publisher = await publisherConnection.CreateChannelAsync(cancellationToken: ct);
            await publisher.ExchangeDeclareAsync(exchangeName, ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: ct);
            var consumers = new List<CountingConsumer>();
            foreach (var queue in queues)
            {
                await publisher.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: ct);
                await publisher.QueueBindAsync(queue, exchangeName, "", cancellationToken: ct);
                var connection = await Amqp.ConnectAsync(target, "fanout-consumer", ct);
                consumerConnections.Add(connection);
                var channel = await connection.CreateChannelAsync(cancellationToken: ct);
                await channel.BasicQosAsync(0, options.Prefetch, false, ct);
                var consumer = new CountingConsumer(channel, AckMode.Multiple);
                await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
                consumers.Add(consumer);
            }

            var body = Amqp.Body(16);
            var properties = Publisher.Properties(persistent: false);
            var exchange = new CachedString(exchangeName);
            var routingKey = new CachedString("");

            var warmDeadline = DeadlineAfter(options.RunTimeout);
            var warmUntil = DeadlineAfter(TimeSpan.FromSeconds(options.WarmupSeconds));
            var warmed = 0;
            do
            {
                var warmDone = Task.WhenAll(consumers.Select(c => c.WhenCountAsync(warmed + warmup)));
                await Publisher.PublishAsync(publisher, exchange, routingKey, properties, body, warmup, null, warmDeadline, ct);
                warmed += warmup;
                if (!(await WaitUntilAsync(MaxOf(warmDone), warmDeadline, ct)).Done)
                {
                    result.Fail($"warm-up timed out: consumed {consumers.Sum(c => c.Count)} of {warmed * queues.Length}");
                    return;
                }
            }
            while (System.Diagnostics.Stopwatch.GetTimestamp() < warmUntil && warmup > 0 && warmed < 50 * warmup);

            var deadline = DeadlineAfter(options.RunTimeout);
            var allDone = MaxOf(Task.WhenAll(consumers.Select(c => c.WhenCountAsync(warmed + count))));
            var start = CpuSnapshot.Take(target);
            var (published, publishedAt) = await Publisher.PublishAsync(publisher, exchange, routingKey, properties, body, count, null, deadline, ct);
            result.Set("published_msg_s", published / Seconds(start.Timestamp, publishedAt));
            var (done, doneAt) = await WaitUntilAsync(allDone, deadline, ct);
            var end = CpuSnapshot.Take(target);
            var deliveries = consumers.Sum(c => c.Count - warmed);
            result.Set("deliveries_s", deliveries / Seconds(start.Timestamp, doneAt));
            start.Report(end, deliveries, result, "delivery");
            if (!done || published < count)
            {
                result.Fail($"timed out after {options.RunTimeout.TotalSeconds:0} s: published {published}, delivered {deliveries} of {count * queues.Length}");
            }

            await Task.Delay(200, ct);
            var total = consumers.Sum(c => c.Count);
            if (done && total != (long)(warmed + count) * queues.Length)
            {
                result.Fail($"delivered {total - (long)warmed * queues.Length}, expected {count * queues.Length}");
            }
        }
        finally
        {
            foreach (var connection in consumerConnections)
            {
                await Amqp.CloseQuietlyAsync(connection);
            }

            await ThroughputScenario.DeleteQueuesAsync(publisherConnection, queues);
            if (publisherConnection is { IsOpen: true })
            {
                try
                {
                    await using var channel = await publisherConnection.CreateChannelAsync(cancellationToken: CancellationToken.None);
                    await channel.ExchangeDeleteAsync(exchangeName, ifUnused: false, cancellationToken: CancellationToken.None);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                }
            }

            await Amqp.CloseQuietlyAsync(publisherConnection);
        }
    }

    private static async Task<long> MaxOf(Task<long[]> all) => (await all).Max();
}
