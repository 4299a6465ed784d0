using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.Messaging;

/// <summary>
/// Shared plumbing for the messaging tests: queues that are deleted after each test (the reference
/// RabbitMQ is long-lived and shared), bounded waits, and assertions on how the broker closes a channel
/// or connection.
/// </summary>
public abstract class MessagingTestBase : IAsyncLifetime
{
    /// <summary>Upper bound for anything we wait for; a healthy broker answers in milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long we watch for something that must NOT happen (a delivery beyond a prefetch limit, a message
    /// that must stay invisible). It cannot prove absence, only make a wrong broker fail most of the time;
    /// every use also checks a positive fact after it.
    /// </summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(400);

    private readonly List<string> _queues = [];

    protected MessagingTestBase(BrokerFixture fixture)
    {
        Fixture = fixture;
    }

    protected BrokerFixture Fixture { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_queues.Count == 0)
        {
            return;
        }

        // Best effort: a test that broke its broker must not also fail in clean-up.
        try
        {
            using var cts = new CancellationTokenSource(Timeout);
            await using var conn = await ConnectAsync().WaitAsync(cts.Token);
            await using var ch = await conn.CreateChannelAsync(cancellationToken: cts.Token);
            foreach (var q in _queues)
            {
                await ch.QueueDeleteAsync(q, ifUnused: false, ifEmpty: false, cancellationToken: cts.Token);
            }
        }
        catch (Exception)
        {
        }
    }

    protected Task<IConnection> ConnectAsync() => Fixture.ConnectAsync();

    /// <summary>A raw AMQP connection (handshake done) with channel 1 open.</summary>
    private protected Task<RawAmqpConnection> OpenRawAsync() => RawAmqpConnection.OpenWithChannelAsync(Fixture, channel: 1);

    /// <summary>
    /// Lets <see cref="QuietPeriod"/> pass so that a delivery that must not happen has had the chance to
    /// (absence cannot be observed directly); callers then assert on counts.
    /// </summary>
    protected static Task WatchQuietPeriodAsync() => Task.Delay(QuietPeriod);

    /// <summary>Declares a plain (non-durable, non-exclusive, non-auto-delete) queue, deleted after the test.</summary>
    protected async Task<string> DeclareQueueAsync(IChannel ch, string prefix = "msg", IDictionary<string, object?>? arguments = null)
    {
        var name = BrokerFixture.UniqueName(prefix);
        var ok = await ch.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false, arguments: arguments);
        Assert.Equal(name, ok.QueueName);
        _queues.Add(name);
        return name;
    }

    /// <summary>Registers a queue someone else declared so it is deleted after the test.</summary>
    protected void DeleteAfterTest(string queue) => _queues.Add(queue);

    protected static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    protected static async Task PublishTextsAsync(IChannel ch, string queue, params string[] texts)
    {
        foreach (var t in texts)
        {
            await ch.BasicPublishAsync(string.Empty, queue, Utf8(t));
        }
    }

    protected static string[] Texts(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => $"{prefix}{i}").ToArray();

    /// <summary>
    /// Polls passive queue.declare until the ready-message count equals <paramref name="expected"/> (the
    /// count moves asynchronously with deliveries and requeues); fails with the last count seen.
    /// </summary>
    protected static async Task WaitForReadyCountAsync(IChannel ch, string queue, uint expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        uint last;
        while (true)
        {
            last = (await ch.QueueDeclarePassiveAsync(queue)).MessageCount;
            if (last == expected || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.Equal(expected, last);
    }

    /// <summary>
    /// Runs <paramref name="action"/> and expects the broker to close the channel for it. Asynchronous
    /// methods (ack, publish) get no reply, so a synchronous round trip follows to make sure the close has
    /// arrived. Returns the close reason as the client recorded it.
    /// </summary>
    protected static async Task<ShutdownEventArgs> ExpectChannelClosedAsync(IChannel ch, Func<Task> action)
    {
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        ch.ChannelShutdownAsync += (_, e) =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };

        try
        {
            await action();
        }
        catch (OperationInterruptedException)
        {
            // Expected for a method with a reply: the close arrives instead of it.
        }

        // No round trip on the channel here: the broker's channel.close can overtake it, the client then sends
        // close-ok before the round trip's method, and a method on a closed channel is a connection error
        // (504 CHANNEL_ERROR - expected 'channel.open', in RabbitMQ as here). A method without a reply (an ack)
        // gets its close all the same.
        var reason = await closed.Task.WaitAsync(Timeout);
        Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
        Assert.True(ch.IsClosed);
        return reason;
    }

    /// <summary>Like <see cref="ExpectChannelClosedAsync"/>, for errors RabbitMQ treats as connection errors.</summary>
    protected static async Task<ShutdownEventArgs> ExpectConnectionClosedAsync(IConnection conn, IChannel ch, Func<Task> action)
    {
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        conn.ConnectionShutdownAsync += (_, e) =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };

        try
        {
            await action();
            await ch.ExchangeDeclarePassiveAsync("amq.direct");
        }
        catch (OperationInterruptedException)
        {
        }

        var reason = await closed.Task.WaitAsync(Timeout);
        Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
        Assert.False(conn.IsOpen);
        return reason;
    }

    protected static void AssertReason(ShutdownEventArgs reason, ushort code, string text, ushort classId, ushort methodId)
    {
        Assert.Equal(text, reason.ReplyText);
        Assert.Equal(code, reason.ReplyCode);
        Assert.Equal(classId, reason.ClassId);
        Assert.Equal(methodId, reason.MethodId);
    }

    /// <summary>Asserts a raw channel.close / connection.close carries the given reason.</summary>
    internal static void AssertRawClose(Frame close, ushort code, string text, ushort classId, ushort methodId)
    {
        var reason = CloseInfo.Parse(close);
        Assert.Equal(text, reason.ReplyText);
        Assert.Equal(code, reason.ReplyCode);
        Assert.Equal(classId, reason.ClassId);
        Assert.Equal(methodId, reason.MethodId);
    }

    /// <summary>Proves a channel still works: a queue round trip through it.</summary>
    protected async Task AssertChannelUsableAsync(IChannel ch)
    {
        var q = await DeclareQueueAsync(ch, "usable");
        await ch.BasicPublishAsync(string.Empty, q, Utf8("still-alive"));
        var deadline = DateTime.UtcNow + Timeout;
        BasicGetResult? got;
        while ((got = await ch.BasicGetAsync(q, autoAck: true)) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.NotNull(got);
        Assert.Equal("still-alive", Encoding.UTF8.GetString(got.Body.Span));
    }

    /// <summary>basic.get, retried briefly: a publish without confirms may not be enqueued yet.</summary>
    protected static async Task<BasicGetResult> GetAsync(IChannel ch, string queue, bool autoAck)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var got = await ch.BasicGetAsync(queue, autoAck);
            if (got is not null)
            {
                return got;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"basic.get on {queue} stayed empty for {Timeout}");
            }

            await Task.Delay(20);
        }
    }
}

/// <summary>A delivery as a consumer saw it; the body is copied because the client reuses its buffer.</summary>
public sealed record Delivery(
    string ConsumerTag,
    ulong DeliveryTag,
    bool Redelivered,
    string Exchange,
    string RoutingKey,
    IReadOnlyBasicProperties Properties,
    byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A consumer that records what it receives, in order, and lets a test wait for it with a bound.
/// Distinguishes a server-sent basic.cancel from the cancel-ok of our own basic.cancel.
/// </summary>
public sealed class CollectingConsumer : AsyncDefaultBasicConsumer
{
    private readonly System.Threading.Channels.Channel<Delivery> _deliveries = System.Threading.Channels.Channel.CreateUnbounded<Delivery>();
    private int _received;

    public CollectingConsumer(IChannel channel)
        : base(channel)
    {
    }

    /// <summary>Runs after a delivery has been recorded (for example to ack it), inside the client's dispatch.</summary>
    public Func<Delivery, Task>? OnDelivery { get; set; }

    public TaskCompletionSource<string> ServerCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> CancelOk { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> ConsumeOk { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Received => Volatile.Read(ref _received);

    public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
        IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var d = new Delivery(consumerTag, deliveryTag, redelivered, exchange, routingKey, properties, body.ToArray());
        Interlocked.Increment(ref _received);
        await _deliveries.Writer.WriteAsync(d, cancellationToken);
        if (OnDelivery is { } handler)
        {
            await handler(d);
        }
    }

    public override Task HandleBasicConsumeOkAsync(string consumerTag, CancellationToken cancellationToken = default)
    {
        ConsumeOk.TrySetResult(consumerTag);
        return base.HandleBasicConsumeOkAsync(consumerTag, cancellationToken);
    }

    public override Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
    {
        ServerCancelled.TrySetResult(consumerTag);
        return base.HandleBasicCancelAsync(consumerTag, cancellationToken);
    }

    public override Task HandleBasicCancelOkAsync(string consumerTag, CancellationToken cancellationToken = default)
    {
        CancelOk.TrySetResult(consumerTag);
        return base.HandleBasicCancelOkAsync(consumerTag, cancellationToken);
    }

    /// <summary>The next delivery, or a TimeoutException after <see cref="MessagingTestBase.Timeout"/>.</summary>
    public async Task<Delivery> NextAsync()
    {
        using var cts = new CancellationTokenSource(MessagingTestBase.Timeout);
        try
        {
            return await _deliveries.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no delivery within {MessagingTestBase.Timeout} (received {Received} so far)");
        }
    }

    public async Task<List<Delivery>> TakeAsync(int count)
    {
        var list = new List<Delivery>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(await NextAsync());
        }

        return list;
    }

    /// <summary>Deliveries already received and not yet taken.</summary>
    public List<Delivery> Drain()
    {
        var list = new List<Delivery>();
        while (_deliveries.Reader.TryRead(out var d))
        {
            list.Add(d);
        }

        return list;
    }

    /// <summary>
    /// Watches for <see cref="MessagingTestBase.QuietPeriod"/> and asserts nothing (more) arrived. A bounded
    /// wait because absence cannot be observed directly.
    /// </summary>
    public async Task AssertNoDeliveryAsync()
    {
        await Task.Delay(MessagingTestBase.QuietPeriod);
        var extra = Drain();
        Assert.True(extra.Count == 0, $"expected no delivery, got {extra.Count}: {string.Join(", ", extra.Select(d => d.Text))}");
    }
}
