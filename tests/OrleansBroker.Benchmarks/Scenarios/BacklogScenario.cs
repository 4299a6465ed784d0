using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>
/// Publishes N persistent messages (1 KiB) to a durable queue with no consumer, with confirms, then drains it with one
/// consumer. Rates of both phases, broker RSS growth per queued message, peak RSS.
/// </summary>
public sealed class BacklogScenario : Scenario
{
    public override string Name => "backlog";

    public override string Description =>
        "N persistent 1 KiB messages into a durable queue with no consumer (confirms, window), then drained by 1 consumer (prefetch, multi-ack every 100); broker RSS sampled every 100 ms";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        var count = options.Backlog;
        var warmup = Math.Min(options.Warmup, count);
        var queue = Amqp.UniqueName("backlog");
        IConnection? publisherConnection = null;
        IConnection? consumerConnection = null;
        try
        {
            publisherConnection = await Amqp.ConnectAsync(target, "backlog-publisher", ct);
            consumerConnection = await Amqp.ConnectAsync(target, "backlog-consumer", ct);
            var publisher = await publisherConnection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false), ct);
            await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            var window = new ConfirmWindow(publisher, options.ConfirmWindow);
            var body = Amqp.Body(options.BacklogBodySize);
            var properties = Publisher.Properties(persistent: true);
            var exchange = new CachedString("");
            var routingKey = new CachedString(queue);

            async Task<(bool Done, long Drained, double Seconds)> DrainAsync(long expected, long deadline)
            {
                var channel = await consumerConnection.CreateChannelAsync(cancellationToken: ct);
                await channel.BasicQosAsync(0, options.Prefetch, false, ct);
                var consumer = new CountingConsumer(channel, AckMode.Multiple);
                var drained = consumer.WhenCountAsync(expected);
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
                var (done, at) = await WaitUntilAsync(drained, deadline, ct);
                await channel.BasicCancelAsync(tag, cancellationToken: ct);
                await Task.Delay(100, ct);
                if (done && consumer.Count != expected)
                {
                    result.Fail($"drained {consumer.Count}, expected {expected}");
                }

                await channel.CloseAsync(ct);
                return (done, consumer.Count, Seconds(start, at));
            }

            // Warm-up: a small backlog through the same path.
            var warmDeadline = DeadlineAfter(options.RunTimeout);
            await Publisher.PublishAsync(publisher, exchange, routingKey, properties, body, warmup, window, warmDeadline, ct);
            if (!(await WaitUntilAsync(window.WhenSettledAsync(warmup), warmDeadline, ct)).Done || !(await DrainAsync(warmup, warmDeadline)).Done)
            {
                result.Fail("warm-up timed out");
                return;
            }

            await Task.Delay(500, ct);
            var rssBefore = target.Pid is { } pid ? ProcStats.RssBytes(pid) : double.NaN;
            await using var sampler = new RssSampler(target.Pid, TimeSpan.FromMilliseconds(100));
            var deadline = DeadlineAfter(options.RunTimeout);
            var start = CpuSnapshot.Take(target);
            var confirmed = window.WhenSettledAsync(warmup + count);
            var (published, _) = await Publisher.PublishAsync(publisher, exchange, routingKey, properties, body, count, window, deadline, ct);
            var (allConfirmed, confirmedAt) = await WaitUntilAsync(confirmed, deadline, ct);
            result.Set("confirmed_msg_s", (window.Settled - warmup) / Seconds(start.Timestamp, confirmedAt));
            if (!allConfirmed || published < count)
            {
                result.Fail($"publish timed out after {options.RunTimeout.TotalSeconds:0} s: confirmed {window.Settled - warmup} of {count}");
                return;
            }

            if (window.Nacked > 0)
            {
                result.Fail($"{window.Nacked} publishes nacked");
            }

            await Task.Delay(1000, ct);
            if (target.Pid is { } brokerPid)
            {
                result.Set("broker_rss_bytes_per_msg", (ProcStats.RssBytes(brokerPid) - rssBefore) / count);
            }

            var (drainedAll, drained, drainSeconds) = await DrainAsync(count, DeadlineAfter(options.RunTimeout));
            var end = CpuSnapshot.Take(target);
            result.Set("drain_msg_s", drained / drainSeconds);
            start.Report(end, count, result);
            result.Set("broker_peak_rss_mib", sampler.PeakBytes / (1024 * 1024));
            if (target.Pid is { } p)
            {
                result.Set("broker_rss_after_drain_mib", ProcStats.RssBytes(p) / (1024 * 1024));
            }

            if (!drainedAll)
            {
                result.Fail($"drain timed out after {options.RunTimeout.TotalSeconds:0} s");
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
