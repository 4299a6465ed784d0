using System.Text;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>queue.declare: declare-ok contents, server-named queues, passive declares, equivalence and reserved names.</summary>
public sealed class QueueDeclareTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Declare_named_queue_returns_its_name_and_zero_counts()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName();

        var ok = await t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false);

        Assert.Equal(name, ok.QueueName);
        Assert.Equal(0u, ok.MessageCount);
        Assert.Equal(0u, ok.ConsumerCount);
    }

    [Fact]
    public async Task Declare_durable_queue_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName();

        var ok = await t.Channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false);

        Assert.Equal(name, ok.QueueName);
        await QueueExistsAsync(t.Connection, name);
    }

    [Fact]
    public async Task Server_named_queue_gets_an_amq_gen_name()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        var ok = await t.Channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        t.Track(ok.QueueName);

        Assert.StartsWith("amq.gen-", ok.QueueName, StringComparison.Ordinal);
        Assert.True(ok.QueueName.Length > "amq.gen-".Length);
        Assert.Equal(0u, ok.MessageCount);
        Assert.Equal(0u, ok.ConsumerCount);
        await QueueExistsAsync(t.Connection, ok.QueueName);
    }

    [Fact]
    public async Task Server_named_queues_get_distinct_names()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        var first = await t.Channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        var second = await t.Channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        t.Track(first.QueueName);
        t.Track(second.QueueName);

        Assert.NotEqual(first.QueueName, second.QueueName);
    }

    [Fact]
    public async Task Server_named_queue_is_reachable_through_the_default_exchange()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var ok = await t.Channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: false);
        t.Track(ok.QueueName);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, ok.QueueName, "hello");

        Assert.Equal(["hello"], await DrainAsync(t.Channel, ok.QueueName));
    }

    [Fact]
    public async Task Declare_ok_reports_message_count_after_publishing()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync();
        await using var pub = await ConfirmingChannelAsync(t.Connection);
        for (var i = 0; i < 3; i++)
        {
            await PublishAsync(pub, string.Empty, name, $"m{i}");
        }

        var redeclared = await t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false);
        var passive = await t.Channel.QueueDeclarePassiveAsync(name);

        Assert.Equal(3u, redeclared.MessageCount);
        Assert.Equal(3u, passive.MessageCount);
        Assert.Equal(name, passive.QueueName);
        Assert.Equal(3u, await t.Channel.MessageCountAsync(name));
    }

    [Fact]
    public async Task Declare_ok_reports_consumer_count()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync();
        await t.Channel.BasicConsumeAsync(name, autoAck: true, new AsyncEventingBasicConsumer(t.Channel));
        await t.Channel.BasicConsumeAsync(name, autoAck: true, new AsyncEventingBasicConsumer(t.Channel));

        var passive = await t.Channel.QueueDeclarePassiveAsync(name);

        Assert.Equal(2u, passive.ConsumerCount);
        Assert.Equal(0u, passive.MessageCount);
        Assert.Equal(2u, await t.Channel.ConsumerCountAsync(name));
    }

    [Fact]
    public async Task Passive_declare_of_missing_queue_closes_channel_with_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.QueueDeclarePassiveAsync(name),
            Amqp.NotFound, $"NOT_FOUND - no queue '{name}' in vhost '/'", Amqp.QueueClass, Amqp.QueueDeclare);

        Assert.True(t.Connection.IsOpen);
    }

    [Fact]
    public async Task Passive_declare_ignores_flags_and_arguments()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync();

        var ok = await t.Channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: true,
            new Dictionary<string, object?> { ["x-message-ttl"] = 5 }, passive: true);

        Assert.Equal(name, ok.QueueName);
    }

    [Fact]
    public async Task Redeclare_with_identical_properties_and_arguments_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var args = new Dictionary<string, object?> { ["x-message-ttl"] = 60000, ["x-max-length"] = 10 };
        var name = await t.QueueAsync(arguments: args);

        var ok = await t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false, args);

        Assert.Equal(name, ok.QueueName);
    }

    [Fact]
    public async Task Redeclare_with_different_durable_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync();

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'durable' for queue '{name}' in vhost '/': received 'true' but current is 'false'",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclare_with_different_auto_delete_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync();

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: true),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue '{name}' in vhost '/': received 'true' but current is 'false'",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclaring_a_shared_queue_as_exclusive_is_405_not_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync();

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: true, autoDelete: false),
            Amqp.ResourceLocked,
            $"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{name}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclaring_own_exclusive_queue_as_shared_is_405()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName();
        await t.Channel.QueueDeclareAsync(name, durable: false, exclusive: true, autoDelete: false);

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false),
            Amqp.ResourceLocked,
            $"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{name}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclare_with_different_message_ttl_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync(arguments: new Dictionary<string, object?> { ["x-message-ttl"] = 1000 });

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-message-ttl"] = 2000 }),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '{name}' in vhost '/': received '2000' but current is '1000'",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclare_without_a_queue_argument_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync(arguments: new Dictionary<string, object?> { ["x-max-length"] = 10 });

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue '{name}' in vhost '/': received none but current is the value '10' of type 'signedint'",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclare_adding_a_queue_argument_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync();

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-max-length"] = 10 }),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue '{name}' in vhost '/': received the value '10' of type 'signedint' but current is none",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclare_with_same_number_as_another_integer_type_is_equivalent()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync(arguments: new Dictionary<string, object?> { ["x-message-ttl"] = 1000 });

        var ok = await t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-message-ttl"] = 1000L });

        Assert.Equal(name, ok.QueueName);
    }

    [Fact]
    public async Task Redeclare_with_different_unknown_arguments_is_accepted()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.QueueAsync(arguments: new Dictionary<string, object?> { ["x-custom"] = "a" });

        var ok = await t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-custom"] = "b", ["another"] = 1 });

        Assert.Equal(name, ok.QueueName);
    }

    [Fact]
    public async Task Declaring_with_a_string_message_ttl_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName();

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-message-ttl"] = "soon" }),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue '{name}' in vhost '/': \"expected integer, got longstr\"",
            Amqp.QueueClass, Amqp.QueueDeclare);
        await QueueMissingAsync(t.Connection, name);
    }

    [Fact]
    public async Task Declaring_with_a_negative_max_length_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.QueueName();

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-max-length"] = -1 }),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - invalid arg 'x-max-length' for queue '{name}' in vhost '/': {{value_negative,-1}}",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Declaring_a_queue_with_the_reserved_amq_prefix_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = "amq." + Guid.NewGuid().ToString("N");

        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false),
            Amqp.AccessRefused,
            $"ACCESS_REFUSED - queue name '{name}' contains reserved prefix 'amq.*'",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Redeclaring_an_existing_server_named_queue_by_name_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var ok = await t.Channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: false);
        t.Track(ok.QueueName);

        // Unlike exchanges, the reserved-prefix check comes before the lookup: even an existing amq.gen- queue is refused.
        await ClosedWithAsync(
            () => t.Channel.QueueDeclareAsync(ok.QueueName, durable: false, exclusive: true, autoDelete: false),
            Amqp.AccessRefused,
            $"ACCESS_REFUSED - queue name '{ok.QueueName}' contains reserved prefix 'amq.*'",
            Amqp.QueueClass, Amqp.QueueDeclare);
    }

    [Fact]
    public async Task Passive_declare_of_an_existing_server_named_queue_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var ok = await t.Channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: false);
        t.Track(ok.QueueName);

        var again = await t.Channel.QueueDeclarePassiveAsync(ok.QueueName);

        Assert.Equal(ok.QueueName, again.QueueName);
    }

    [Fact]
    public async Task Default_exchange_routes_by_queue_name_without_any_binding()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var qa = await t.QueueAsync("qa");
        var qb = await t.QueueAsync("qb");

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, string.Empty, qa, "for-a");
        await PublishAsync(pub, string.Empty, qb, "for-b");
        await PublishAsync(pub, string.Empty, BrokerFixture.UniqueName("nobody"), "dropped");

        var got = await t.Channel.BasicGetAsync(qa, autoAck: true);
        Assert.NotNull(got);
        Assert.Equal("for-a", Encoding.UTF8.GetString(got.Body.Span));
        Assert.Equal(string.Empty, got.Exchange);
        Assert.Equal(qa, got.RoutingKey);
        Assert.Equal(["for-b"], await DrainAsync(t.Channel, qb));
    }
}
