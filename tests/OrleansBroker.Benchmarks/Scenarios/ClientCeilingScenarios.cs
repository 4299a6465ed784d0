using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>
/// Publish only: 16 B transient messages to the default exchange with a routing key no queue has (the broker parses
/// and drops them), then a round trip so every publish has been read. Run against the null broker
/// (<c>null-broker</c>: no broker work at all) it gives the client's own publishing ceiling.
/// </summary>
public sealed class ClientPublishScenario : Scenario
{
    public override string Name => "client-publish";

    public override string Description =>
        "publish only, 16 B transient, unroutable (dropped by the broker), ends with a round trip; against null-broker: the client's publish ceiling";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        IConnection? connection = null;
        try
        {
            connection = await Amqp.ConnectAsync(target, "client-publish", ct);
            var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            var body = Amqp.Body(16);
            var properties = Publisher.Properties(persistent: false);
            var exchange = new CachedString("");
            var routingKey = new CachedString("bench-no-such-queue");
            var deadline = DeadlineAfter(options.RunTimeout);
            await Publisher.PublishAsync(channel, exchange, routingKey, properties, body, options.Warmup, null, deadline, ct);
            await channel.BasicQosAsync(0, options.Prefetch, false, ct);

            deadline = DeadlineAfter(options.RunTimeout);
            var start = CpuSnapshot.Take(target);
            var (published, _) = await Publisher.PublishAsync(channel, exchange, routingKey, properties, body, options.Messages, null, deadline, ct);
            // basic.qos is answered after every publish before it on the channel has been read.
            await channel.BasicQosAsync(0, options.Prefetch, false, ct);
            var end = CpuSnapshot.Take(target);
            result.Set("published_msg_s", published / Seconds(start.Timestamp, end.Timestamp));
            start.Report(end, published, result);
            if (published < options.Messages)
            {
                result.Fail($"timed out after {options.RunTimeout.TotalSeconds:0} s: published {published} of {options.Messages}");
            }
        }
        finally
        {
            await Amqp.CloseQuietlyAsync(connection);
        }
    }
}

/// <summary>
/// Consume only: a queue preloaded with 16 B transient messages (not timed) is drained by one consumer, manual ack
/// each, prefetch. Against the null broker (an endless source honouring prefetch) it gives the client's consume ceiling.
/// </summary>
public sealed class ClientConsumeScenario : Scenario
{
    public override string Name => "client-consume";

    public override string Description =>
        "consume only from a preloaded queue, 16 B transient, manual ack each, prefetch; against null-broker: the client's consume ceiling";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        var queue = Amqp.UniqueName("client-consume");
        var total = options.Warmup + options.Messages;
        IConnection? connection = null;
        try
        {
            connection = await Amqp.ConnectAsync(target, "client-consume", ct);
            var publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false), ct);
            await publisher.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: ct);
            var window = new ConfirmWindow(publisher, options.ConfirmWindow);
            var deadline = DeadlineAfter(options.RunTimeout);
            await Publisher.PublishAsync(publisher, new CachedString(""), new CachedString(queue), Publisher.Properties(false), Amqp.Body(16),
                total, window, deadline, ct);
            if (!(await WaitUntilAsync(window.WhenSettledAsync(total), deadline, ct)).Done)
            {
                result.Fail("preload timed out");
                return;
            }

            var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            await channel.BasicQosAsync(0, options.Prefetch, false, ct);
            var consumer = new CountingConsumer(channel, AckMode.Each);
            var warm = consumer.WhenCountAsync(options.Warmup);
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
            deadline = DeadlineAfter(options.RunTimeout);
            var (warmDone, warmAt) = await WaitUntilAsync(warm, deadline, ct);
            if (!warmDone)
            {
                result.Fail("warm-up timed out");
                return;
            }

            var start = CpuSnapshot.Take(target) with { Timestamp = warmAt };
            var (done, at) = await WaitUntilAsync(consumer.WhenCountAsync(total), deadline, ct);
            var end = CpuSnapshot.Take(target);
            var got = Math.Min(consumer.Count, total) - options.Warmup;
            result.Set("consumed_msg_s", got / Seconds(start.Timestamp, at));
            start.Report(end, got, result);
            if (!done)
            {
                result.Fail($"timed out after {options.RunTimeout.TotalSeconds:0} s: consumed {got} of {options.Messages}");
            }
        }
        finally
        {
            await ThroughputScenario.DeleteQueuesAsync(connection, [queue]);
            await Amqp.CloseQuietlyAsync(connection);
        }
    }
}
