using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>
/// Sequential request/reply as in RabbitMQ's RPC tutorial: the client publishes to the server's queue with reply_to
/// (its exclusive server-named queue) and correlation_id, and waits for the reply before the next call.
/// </summary>
public sealed class RpcScenario : Scenario
{
    public override string Name => "rpc";

    public override string Description =>
        "sequential request/reply: request queue + exclusive server-named reply queue, reply_to + correlation_id, 16 B bodies; server acks each, client auto-ack";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        var requestQueue = Amqp.UniqueName("rpc");
        IConnection? serverConnection = null;
        IConnection? clientConnection = null;
        try
        {
            serverConnection = await Amqp.ConnectAsync(target, "rpc-server", ct);
            clientConnection = await Amqp.ConnectAsync(target, "rpc-client", ct);
            var serverChannel = await serverConnection.CreateChannelAsync(cancellationToken: ct);
            await serverChannel.QueueDeclareAsync(requestQueue, durable: false, exclusive: false, autoDelete: false, cancellationToken: ct);
            await serverChannel.BasicQosAsync(0, 100, false, ct);
            await serverChannel.BasicConsumeAsync(requestQueue, autoAck: false, new RpcServer(serverChannel), ct);

            var clientChannel = await clientConnection.CreateChannelAsync(cancellationToken: ct);
            var replyQueue = (await clientChannel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct)).QueueName;
            var replies = new ReplyConsumer(clientChannel);
            await clientChannel.BasicConsumeAsync(replyQueue, autoAck: true, replies, ct);

            var body = Amqp.Body(16);
            var exchange = new CachedString("");
            var routingKey = new CachedString(requestQueue);
            var warmup = Math.Clamp(options.RpcCalls / 10, 1, 1000);
            var callTimeout = TimeSpan.FromSeconds(10);

            async Task<double> CallAsync(int id)
            {
                var correlationId = id.ToString(CultureInfo.InvariantCulture);
                var reply = replies.Expect(correlationId);
                var properties = new BasicProperties { ReplyTo = replyQueue, CorrelationId = correlationId };
                var sent = Stopwatch.GetTimestamp();
                await clientChannel.BasicPublishAsync(exchange, routingKey, false, properties, body, ct);
                var received = await reply.WaitAsync(callTimeout, ct);
                return (received - sent) * 1000.0 / Stopwatch.Frequency;
            }

            for (var i = 0; i < warmup; i++)
            {
                await CallAsync(i);
            }

            var latencies = new List<double>(options.RpcCalls);
            var start = CpuSnapshot.Take(target);
            var stopAt = DeadlineAfter(TimeSpan.FromSeconds(options.RpcSeconds));
            while (latencies.Count < options.RpcCalls && Stopwatch.GetTimestamp() < stopAt)
            {
                latencies.Add(await CallAsync(warmup + latencies.Count));
            }

            var end = CpuSnapshot.Take(target);
            var sorted = latencies.Order().ToArray();
            result.Set("calls_s", sorted.Length / Seconds(start.Timestamp, end.Timestamp));
            result.Set("p50_ms", Percentile(sorted, 0.50));
            result.Set("p99_ms", Percentile(sorted, 0.99));
            result.Set("max_ms", sorted.Length > 0 ? sorted[^1] : double.NaN);
            start.Report(end, sorted.Length, result, "call");
            if (replies.Unexpected > 0)
            {
                result.Fail($"{replies.Unexpected} replies with an unexpected correlation_id");
            }
        }
        catch (TimeoutException)
        {
            result.Fail("a call got no reply within 10 s");
        }
        finally
        {
            await Amqp.CloseQuietlyAsync(clientConnection);
            await ThroughputScenario.DeleteQueuesAsync(serverConnection, [requestQueue]);
            await Amqp.CloseQuietlyAsync(serverConnection);
        }
    }

    private sealed class RpcServer(IChannel channel) : AsyncDefaultBasicConsumer(channel)
    {
        public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
            string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            var reply = new BasicProperties { CorrelationId = properties.CorrelationId };
            await Channel.BasicPublishAsync("", properties.ReplyTo ?? "", false, reply, body, cancellationToken);
            await Channel.BasicAckAsync(deliveryTag, false, cancellationToken);
        }

        protected override Task OnCancelAsync(string[] consumerTags, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed class ReplyConsumer(IChannel channel) : AsyncDefaultBasicConsumer(channel)
    {
        private readonly Lock _gate = new();
        private string? _expected;
        private TaskCompletionSource<long>? _pending;

        public int Unexpected { get; private set; }

        public Task<long> Expect(string correlationId)
        {
            lock (_gate)
            {
                _expected = correlationId;
                _pending = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _pending.Task;
            }
        }

        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
            string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                if (_pending is not null && properties.CorrelationId == _expected)
                {
                    _pending.TrySetResult(now);
                    _pending = null;
                }
                else
                {
                    Unexpected++;
                }
            }

            return Task.CompletedTask;
        }

        protected override Task OnCancelAsync(string[] consumerTags, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
