using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>exchange.declare: types, predeclared exchanges, passive declares, equivalence and reserved names.</summary>
public sealed class ExchangeDeclareTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(ExchangeType.Direct)]
    [InlineData(ExchangeType.Fanout)]
    [InlineData(ExchangeType.Topic)]
    [InlineData(ExchangeType.Headers)]
    public async Task Declare_each_builtin_type_then_passive_declare_finds_it(string type)
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName(type);

        await t.Channel.ExchangeDeclareAsync(name, type, durable: false, autoDelete: false);
        await t.Channel.ExchangeDeclarePassiveAsync(name);

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Declare_durable_exchange_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();

        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Topic, durable: true, autoDelete: false);

        await ExchangeExistsAsync(t.Connection, name);
    }

    [Theory]
    [InlineData("amq.direct")]
    [InlineData("amq.fanout")]
    [InlineData("amq.topic")]
    [InlineData("amq.headers")]
    [InlineData("amq.match")]
    public async Task Predeclared_exchanges_exist(string name)
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await t.Channel.ExchangeDeclarePassiveAsync(name);

        Assert.True(t.Channel.IsOpen);
    }

    [Theory]
    [InlineData("amq.direct", ExchangeType.Direct)]
    [InlineData("amq.fanout", ExchangeType.Fanout)]
    [InlineData("amq.topic", ExchangeType.Topic)]
    [InlineData("amq.headers", ExchangeType.Headers)]
    [InlineData("amq.match", ExchangeType.Headers)]
    public async Task Predeclared_exchanges_are_durable_and_of_their_type_so_an_equivalent_redeclare_succeeds(string name, string type)
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await t.Channel.ExchangeDeclareAsync(name, type, durable: true, autoDelete: false);

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Redeclaring_a_predeclared_exchange_with_another_type_is_406_not_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync("amq.direct", ExchangeType.Fanout, durable: true, autoDelete: false),
            Amqp.PreconditionFailed,
            "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received 'fanout' but current is 'direct'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Passive_declare_of_missing_exchange_closes_channel_with_404()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclarePassiveAsync(name),
            Amqp.NotFound, $"NOT_FOUND - no exchange '{name}' in vhost '/'", Amqp.ExchangeClass, Amqp.ExchangeDeclare);

        Assert.False(t.Channel.IsOpen);
        Assert.True(t.Connection.IsOpen);
    }

    [Fact]
    public async Task Passive_declare_ignores_type_and_flags()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Direct);

        // The client's passive helper sends an empty type; a passive declare with a different type and flags is also fine.
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: true, passive: true);

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Redeclare_with_identical_properties_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        var args = new Dictionary<string, object?> { ["alternate-exchange"] = "ae" };

        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Topic, durable: true, autoDelete: false, args);
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Topic, durable: true, autoDelete: false, args);

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Redeclare_with_different_type_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Direct);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, ExchangeType.Topic, durable: false, autoDelete: false),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'type' for exchange '{name}' in vhost '/': received 'topic' but current is 'direct'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Redeclare_with_different_durable_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Fanout);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'durable' for exchange '{name}' in vhost '/': received 'true' but current is 'false'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Redeclare_with_different_auto_delete_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: false, autoDelete: true);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: false, autoDelete: false),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'auto_delete' for exchange '{name}' in vhost '/': received 'false' but current is 'true'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Redeclare_with_different_alternate_exchange_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false,
            new Dictionary<string, object?> { ["alternate-exchange"] = "ae1" });

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false,
                new Dictionary<string, object?> { ["alternate-exchange"] = "ae2" }),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange '{name}' in vhost '/': received 'ae2' but current is 'ae1'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Redeclare_without_the_alternate_exchange_argument_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false,
            new Dictionary<string, object?> { ["alternate-exchange"] = "ae1" });

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false),
            Amqp.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange '{name}' in vhost '/': received none but current is the value 'ae1' of type 'longstr'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Redeclare_with_different_unknown_arguments_is_accepted()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-custom"] = "one" });

        // Only alternate-exchange takes part in exchange equivalence; other arguments are not compared.
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-custom"] = "two", ["x-other"] = 1 });
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false);

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Declaring_an_exchange_with_the_reserved_amq_prefix_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = "amq." + Guid.NewGuid().ToString("N");

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false),
            Amqp.AccessRefused,
            $"ACCESS_REFUSED - exchange name '{name}' contains reserved prefix 'amq.*'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
        await ExchangeMissingAsync(t.Connection, name);
    }

    [Fact]
    public async Task Passive_declare_of_missing_amq_prefixed_exchange_is_404_not_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = "amq." + Guid.NewGuid().ToString("N");

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclarePassiveAsync(name),
            Amqp.NotFound, $"NOT_FOUND - no exchange '{name}' in vhost '/'", Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Unknown_exchange_type_closes_the_connection_with_503()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        var type = "no-such-type-" + Guid.NewGuid().ToString("N");
        var shutdown = ShutdownOf(t.Connection);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, type, durable: false, autoDelete: false),
            Amqp.CommandInvalid, $"COMMAND_INVALID - unknown exchange type '{type}'", Amqp.ExchangeClass, Amqp.ExchangeDeclare);

        var reason = await Within(shutdown, "connection close");
        AssertReason(reason, Amqp.CommandInvalid, $"COMMAND_INVALID - unknown exchange type '{type}'", Amqp.ExchangeClass, Amqp.ExchangeDeclare);
        Assert.False(t.Connection.IsOpen);

        await using var other = await fixture.ConnectAsync();
        await ExchangeMissingAsync(other, name);
    }

    [Fact]
    public async Task Exchange_type_names_are_case_sensitive()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, "DIRECT", durable: false, autoDelete: false),
            Amqp.CommandInvalid, "COMMAND_INVALID - unknown exchange type 'DIRECT'", Amqp.ExchangeClass, Amqp.ExchangeDeclare);
        Assert.False(t.Connection.IsOpen);
    }

    [Fact]
    public async Task Empty_exchange_type_is_503_invalid_exchange_type()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();

        // RabbitMQ words this one "invalid", not "unknown" (the empty name resolves but is no registered type).
        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(name, string.Empty, durable: false, autoDelete: false),
            Amqp.CommandInvalid, "COMMAND_INVALID - invalid exchange type ''", Amqp.ExchangeClass, Amqp.ExchangeDeclare);
        Assert.False(t.Connection.IsOpen);
    }

    [Fact]
    public async Task Redeclaring_a_predeclared_exchange_as_non_durable_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync("amq.topic", ExchangeType.Topic, durable: false, autoDelete: false),
            Amqp.PreconditionFailed,
            "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'amq.topic' in vhost '/': received 'false' but current is 'true'",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Declaring_the_default_exchange_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclareAsync(string.Empty, ExchangeType.Direct, durable: true, autoDelete: false),
            Amqp.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Passive_declare_of_the_default_exchange_is_also_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclarePassiveAsync(string.Empty),
            Amqp.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    [Fact]
    public async Task Errors_on_one_channel_leave_other_channels_open()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        await using var other = await t.NewChannelAsync();

        var missing = BrokerFixture.UniqueName("missing");

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeclarePassiveAsync(missing),
            Amqp.NotFound, $"NOT_FOUND - no exchange '{missing}' in vhost '/'", Amqp.ExchangeClass, Amqp.ExchangeDeclare);

        Assert.True(other.IsOpen);
        await other.ExchangeDeclarePassiveAsync("amq.direct");
    }
}
