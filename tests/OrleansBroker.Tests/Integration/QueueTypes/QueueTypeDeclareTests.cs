using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Integration.Topology;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;
using AmqpCodes = OrleansBroker.Tests.Integration.Topology.Amqp;

namespace OrleansBroker.Tests.Integration.QueueTypes;

/// <summary>
/// queue.declare with x-queue-type (and x-queue-mode) as RabbitMQ 3.10.8 answers it: quorum queues durable only, not
/// exclusive, not auto-delete, never server-named, with the arguments only classic queues take refused; classic and
/// lazy accepted; redeclares compared on the arguments the queue's type knows. Streams are refused here (RabbitMQ
/// 3.10 makes one), so that test does not run against RabbitMQ.
/// </summary>
public sealed class QueueTypeDeclareTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static Dictionary<string, object?> Args(params (string Key, object? Value)[] entries) => entries.ToDictionary(e => e.Key, e => e.Value);

    private static readonly Dictionary<string, object?> Quorum = Args(("x-queue-type", "quorum"));

    [Fact]
    public async Task A_durable_quorum_queue_is_declared_redeclared_and_takes_messages()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("qq");
        var ok = await t.Channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: Quorum);
        Assert.Equal(name, ok.QueueName);
        await t.Channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: Args(("x-queue-type", "quorum"), ("x-max-priority", 5)));
        await t.Channel.BasicPublishAsync(string.Empty, name, "m"u8.ToArray());
        var got = await TopologyAssert.Within(GetAsync(t.Channel, name), "the message");
        Assert.Equal("m", System.Text.Encoding.UTF8.GetString(got.Body.Span));
    }

    [Theory]
    [InlineData(false, false, false, "non-durable")]
    [InlineData(true, true, false, "exclusive-owner")]
    [InlineData(true, false, true, "auto-delete")]
    [InlineData(false, true, true, "auto-delete")]
    public async Task A_quorum_queue_that_is_not_durable_or_is_exclusive_or_auto_delete_is_406(bool durable, bool exclusive, bool autoDelete, string property)
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("qq");
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable, exclusive, autoDelete, Quorum),
            AmqpCodes.PreconditionFailed, $"PRECONDITION_FAILED - invalid property '{property}' for queue '{name}' in vhost '/'",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
        Assert.NotNull(await TryQueuePassiveAsync(t.Connection, name));
    }

    [Theory]
    [InlineData("x-max-priority", 10)]
    [InlineData("x-queue-mode", "lazy")]
    [InlineData("x-queue-master-locator", "client-local")]
    public async Task A_quorum_queue_refuses_classic_only_arguments(string key, object value)
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("qq");
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, true, false, false, Args(("x-queue-type", "quorum"), (key, value))),
            AmqpCodes.PreconditionFailed, $"PRECONDITION_FAILED - invalid arg '{key}' for queue '{name}' in vhost '/' of queue type rabbit_quorum_queue",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
    }

    [Fact]
    public async Task A_classic_queue_refuses_quorum_only_arguments()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("cq");
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, true, false, false, Args(("x-delivery-limit", 3))),
            AmqpCodes.PreconditionFailed, $"PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue '{name}' in vhost '/' of queue type rabbit_classic_queue",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
    }

    [Fact]
    public async Task A_server_named_quorum_queue_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(string.Empty, true, false, false, Quorum),
            AmqpCodes.PreconditionFailed, "PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
    }

    [Fact]
    public async Task An_unknown_queue_type_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("q");
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, true, false, false, Args(("x-queue-type", "fast"))),
            AmqpCodes.PreconditionFailed, $"PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue '{name}' in vhost '/': \"unsupported queue type 'fast'\"",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
    }

    [Fact]
    public async Task Classic_and_lazy_are_accepted()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var classic = t.QueueName("cq");
        var lazy = t.QueueName("lazy");
        await t.Channel.QueueDeclareAsync(classic, false, false, false, Args(("x-queue-type", "classic")));
        await t.Channel.QueueDeclareAsync(lazy, true, false, false, Args(("x-queue-mode", "lazy")));
        await t.Channel.QueueDeclareAsync(lazy, true, false, false, Args(("x-queue-mode", "lazy")));
        await t.Channel.BasicPublishAsync(string.Empty, lazy, "m"u8.ToArray());
        Assert.NotNull(await TopologyAssert.Within(GetAsync(t.Channel, lazy), "the message"));
    }

    [Fact]
    public async Task Redeclaring_a_quorum_queue_without_its_type_is_inequivalent()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("qq");
        await t.Channel.QueueDeclareAsync(name, true, false, false, Quorum);
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, true, false, false),
            AmqpCodes.PreconditionFailed, $"PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue '{name}' in vhost '/': received none but current is the value 'quorum' of type 'longstr'",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
    }

    [Fact]
    public async Task Redeclaring_a_quorum_queue_with_another_delivery_limit_is_inequivalent()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("qq");
        await t.Channel.QueueDeclareAsync(name, true, false, false, Args(("x-queue-type", "quorum"), ("x-delivery-limit", 3)));
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, true, false, false, Args(("x-queue-type", "quorum"), ("x-delivery-limit", 5))),
            AmqpCodes.PreconditionFailed, $"PRECONDITION_FAILED - inequivalent arg 'x-delivery-limit' for queue '{name}' in vhost '/': received '5' but current is '3'",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
    }

    /// <summary>Difference: RabbitMQ 3.10 creates a stream; here it is refused, naming streams as not supported yet.</summary>
    [Fact]
    public async Task A_stream_is_refused_as_not_supported_yet()
    {
        if (fixture.IsExternal)
        {
            return;
        }

        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName("s");
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, true, false, false, Args(("x-queue-type", "stream"))),
            AmqpCodes.PreconditionFailed,
            $"PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue '{name}' in vhost '/': \"unsupported queue type 'stream': streams are not supported by this broker yet\"",
            AmqpCodes.QueueClass, AmqpCodes.QueueDeclare);
        Assert.NotNull(await TryQueuePassiveAsync(t.Connection, name));
    }

    private static async Task<BasicGetResult> GetAsync(IChannel channel, string queue)
    {
        while (true)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
            {
                return result;
            }

            await Task.Delay(20);
        }
    }
}
