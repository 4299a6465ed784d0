using OrleansBroker.Amqp;
using OrleansBroker.Client;
using OrleansBroker.Grains.Model;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using static OrleansBroker.Tests.AppApi.AmqpQueueReads;

namespace OrleansBroker.Tests.AppApi;

/// <summary>
/// The same message published through AMQP (RabbitMQ.Client) and through the app API, mandatory, reaches the same
/// queues and is returned alike, for every exchange type, exchange-to-exchange bindings and alternate exchanges;
/// publishes AMQP refuses are refused with the same code and text. Topology is made half through AMQP, half through
/// the app API, so each side's bindings route the other's publishes.
/// </summary>
[Collection(AppApiCollection.Name)]
public sealed class RoutingParityTests(AppApiBroker broker) : IAsyncLifetime
{
    private readonly List<string> _queues = new();
    private readonly List<string> _exchanges = new();
    private BrokerSession _session = null!;
    private IConnection _amqp = null!;
    private IChannel _channel = null!;
    private int _returns;

    public async Task InitializeAsync()
    {
        _session = await broker.OpenSessionAsync();
        _amqp = await broker.ConnectAmqpAsync();
        _channel = await _amqp.CreateChannelAsync();
        _channel.BasicReturnAsync += (_, _) =>
        {
            Interlocked.Increment(ref _returns);
            return Task.CompletedTask;
        };
    }

    public async Task DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await _session.DeleteQueueAsync(queue);
        }

        foreach (var exchange in _exchanges)
        {
            await _session.DeleteExchangeAsync(exchange);
        }

        await _session.DisposeAsync();
        await _channel.DisposeAsync();
        await _amqp.DisposeAsync();
    }

    [Fact]
    public async Task Default_exchange()
    {
        var q1 = await QueueAsync();

        await AssertRoutedAlikeAsync(string.Empty, q1, null, [q1], q1);
        await AssertRoutedAlikeAsync(string.Empty, AppApiBroker.UniqueName("missing"), null, [q1]);
    }

    [Fact]
    public async Task Direct_exchange()
    {
        var x = await ExchangeAsync("direct");
        var (q1, q2, q3) = (await QueueAsync(), await QueueAsync(), await QueueAsync());
        await _channel.QueueBindAsync(q1, x, "a");
        await _session.BindQueueAsync(q2, x, "a");
        await _session.BindQueueAsync(q3, x, "b");

        await AssertRoutedAlikeAsync(x, "a", null, [q1, q2, q3], q1, q2);
        await AssertRoutedAlikeAsync(x, "b", null, [q1, q2, q3], q3);
        await AssertRoutedAlikeAsync(x, "c", null, [q1, q2, q3]);
    }

    [Fact]
    public async Task Fanout_exchange()
    {
        var x = await ExchangeAsync("fanout");
        var (q1, q2) = (await QueueAsync(), await QueueAsync());
        await _channel.QueueBindAsync(q1, x, "ignored");
        await _session.BindQueueAsync(q2, x);

        await AssertRoutedAlikeAsync(x, "anything", null, [q1, q2], q1, q2);
    }

    [Fact]
    public async Task Topic_exchange()
    {
        var x = await ExchangeAsync("topic");
        var (q1, q2, q3, q4) = (await QueueAsync(), await QueueAsync(), await QueueAsync(), await QueueAsync());
        await _session.BindQueueAsync(q1, x, "orders.*");
        await _channel.QueueBindAsync(q2, x, "orders.#");
        await _session.BindQueueAsync(q3, x, "#.eu");
        await _channel.QueueBindAsync(q4, x, "*.created.eu");
        string[] all = [q1, q2, q3, q4];

        await AssertRoutedAlikeAsync(x, "orders.created", null, all, q1, q2);
        await AssertRoutedAlikeAsync(x, "orders.created.eu", null, all, q2, q3, q4);
        await AssertRoutedAlikeAsync(x, "stock.eu", null, all, q3);
        await AssertRoutedAlikeAsync(x, "orders", null, all, q2);
        await AssertRoutedAlikeAsync(x, "stock", null, all);
    }

    [Fact]
    public async Task Headers_exchange()
    {
        var x = await ExchangeAsync("headers");
        var (q1, q2) = (await QueueAsync(), await QueueAsync());
        await _session.BindQueueAsync(q1, x, arguments: new FieldTable([new("x-match", "all"), new("kind", "order"), new("region", "eu")]));
        await _channel.QueueBindAsync(q2, x, string.Empty, new Dictionary<string, object?> { ["x-match"] = "any", ["kind"] = "order", ["priority"] = 1 });
        string[] all = [q1, q2];

        await AssertRoutedAlikeAsync(x, string.Empty, [new("kind", "order"), new("region", "eu")], all, q1, q2);
        await AssertRoutedAlikeAsync(x, string.Empty, [new("priority", 1)], all, q2);
        await AssertRoutedAlikeAsync(x, string.Empty, [new("region", "eu")], all);
        await AssertRoutedAlikeAsync(x, string.Empty, null, all);
    }

    [Fact]
    public async Task Exchange_to_exchange_bindings()
    {
        var source = await ExchangeAsync("topic");
        var destination = await ExchangeAsync("fanout");
        var (q1, q2) = (await QueueAsync(), await QueueAsync());
        await _session.BindExchangeAsync(destination, source, "a.*");
        await _channel.QueueBindAsync(q1, destination, string.Empty);
        await _session.BindQueueAsync(q2, source, "a.b");
        string[] all = [q1, q2];

        await AssertRoutedAlikeAsync(source, "a.b", null, all, q1, q2);
        await AssertRoutedAlikeAsync(source, "a.c", null, all, q1);
        await AssertRoutedAlikeAsync(source, "b", null, all);
    }

    [Fact]
    public async Task Alternate_exchange()
    {
        var alternate = await ExchangeAsync("fanout");
        var main = AppApiBroker.UniqueName("x");
        await _session.DeclareExchangeAsync(main, "direct", arguments: new FieldTable([new("alternate-exchange", alternate)]));
        _exchanges.Add(main);
        var (q1, unrouted) = (await QueueAsync(), await QueueAsync());
        await _channel.QueueBindAsync(q1, main, "k");
        await _session.BindQueueAsync(unrouted, alternate);
        string[] all = [q1, unrouted];

        await AssertRoutedAlikeAsync(main, "k", null, all, q1);
        await AssertRoutedAlikeAsync(main, "other", null, all, unrouted);
    }

    [Fact]
    public async Task A_publish_to_a_missing_exchange_is_refused_with_AMQP_s_404()
    {
        var missing = AppApiBroker.UniqueName("missing");

        var refusal = await Assert.ThrowsAsync<BrokerException>(() => _session.PublishAsync(missing, "k", Utf8("m")));

        Assert.Equal(ReplyCode.NotFound, refusal.Code);
        Assert.Equal(await AmqpRefusalAsync(missing), refusal.ReplyText);
    }

    [Fact]
    public async Task A_publish_to_an_internal_exchange_is_refused_with_AMQP_s_403()
    {
        var x = AppApiBroker.UniqueName("internal");
        await _session.DeclareExchangeAsync(x, "fanout", isInternal: true);
        _exchanges.Add(x);

        var refusal = await Assert.ThrowsAsync<BrokerException>(() => _session.PublishAsync(x, "k", Utf8("m")));

        Assert.Equal(ReplyCode.AccessRefused, refusal.Code);
        Assert.Equal(await AmqpRefusalAsync(x), refusal.ReplyText);
    }

    [Fact]
    public async Task A_bad_expiration_is_refused_with_AMQP_s_406()
    {
        var q = await QueueAsync();

        var refusal = await Assert.ThrowsAsync<BrokerException>(() => _session.PublishAsync(string.Empty, q, Utf8("m"), new MessageProperties { Expiration = "soon" }));

        Assert.Equal(ReplyCode.PreconditionFailed, refusal.Code);
        Assert.Equal("PRECONDITION_FAILED - invalid expiration 'soon': no_integer", refusal.ReplyText);
        Assert.Equal(0u, (await _session.InspectQueueAsync(q)).MessageCount);
    }

    /// <summary>
    /// Publish "amqp" over AMQP and "app" through the app API to the same exchange with the same routing key and headers,
    /// both mandatory; then each of <paramref name="queues"/> holds both messages if it is one of
    /// <paramref name="expected"/> and neither otherwise, and both publishes come back alike when none is expected.
    /// </summary>
    private async Task AssertRoutedAlikeAsync(string exchange, string routingKey, KeyValuePair<string, object?>[]? headers, string[] queues, params string[] expected)
    {
        var returnsBefore = Volatile.Read(ref _returns);
        var amqpProperties = new BasicProperties { Headers = headers?.ToDictionary(h => h.Key, h => h.Value) };
        await _channel.BasicPublishAsync(exchange, routingKey, mandatory: true, amqpProperties, Utf8("amqp"));

        // A round trip on the channel: a basic.return for the publish came (and was handled) before its reply.
        await _channel.ExchangeDeclarePassiveAsync("amq.direct");
        var amqpReturned = Volatile.Read(ref _returns) > returnsBefore;

        var appProperties = headers is null ? null : new MessageProperties { Headers = new FieldTable(headers) };
        var outcome = await _session.PublishAsync(exchange, routingKey, Utf8("app"), appProperties, mandatory: true);

        var where = $"exchange '{exchange}', routing key '{routingKey}'";
        foreach (var queue in expected)
        {
            // The AMQP publish had no confirm: its messages may still be on their way to their queues.
            await AppApiBroker.WaitForReadyAsync(_session, queue, 2);
        }

        Assert.True(expected.Length == 0 == amqpReturned, $"AMQP return for {where}: {amqpReturned}");
        Assert.True((expected.Length == 0 ? PublishOutcome.Returned : PublishOutcome.Routed) == outcome, $"app outcome for {where}: {outcome}");
        foreach (var queue in queues)
        {
            var received = (await GetAllAsync(_channel, queue)).Select(Text).Order().ToArray();
            Assert.True(
                received.SequenceEqual(expected.Contains(queue) ? ["amqp", "app"] : []),
                $"queue {Array.IndexOf(queues, queue) + 1} of {queues.Length} got [{string.Join(", ", received)}] for {where}");
        }
    }

    /// <summary>The reply text of the channel.close an AMQP publish to this exchange gets.</summary>
    private async Task<string> AmqpRefusalAsync(string exchange)
    {
        await using var channel = await _amqp.CreateChannelAsync();
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, e) =>
        {
            closed.TrySetResult(e.ReplyText);
            return Task.CompletedTask;
        };

        await channel.BasicPublishAsync(exchange, "k", Utf8("m"));
        try
        {
            await channel.ExchangeDeclarePassiveAsync("amq.direct");
        }
        catch (OperationInterruptedException)
        {
            // The close arrives instead of the reply.
        }

        return await closed.Task.WaitAsync(AppApiBroker.Timeout);
    }

    private async Task<string> QueueAsync()
    {
        var queue = (await _session.DeclareQueueAsync(AppApiBroker.UniqueName("q"))).Queue;
        _queues.Add(queue);
        return queue;
    }

    private async Task<string> ExchangeAsync(string type)
    {
        var exchange = AppApiBroker.UniqueName("x");
        await _channel.ExchangeDeclareAsync(exchange, type);
        _exchanges.Add(exchange);
        return exchange;
    }
}
