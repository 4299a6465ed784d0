using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>exchange.delete, if-unused, auto-delete exchanges and the default exchange.</summary>
public sealed class ExchangeDeleteTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Delete_removes_the_exchange()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Topic);

        await t.Channel.ExchangeDeleteAsync(name, ifUnused: false);

        await ExchangeMissingAsync(t.Connection, name);
    }

    [Fact]
    public async Task Delete_of_a_missing_exchange_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await t.Channel.ExchangeDeleteAsync(BrokerFixture.UniqueName("missing"), ifUnused: false);
        await t.Channel.ExchangeDeleteAsync(BrokerFixture.UniqueName("missing"), ifUnused: true);

        Assert.True(t.Channel.IsOpen);
    }

    [Fact]
    public async Task Delete_if_unused_of_an_exchange_with_a_queue_binding_is_406_and_keeps_it()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, name, "k");

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeleteAsync(name, ifUnused: true),
            Amqp.PreconditionFailed, $"PRECONDITION_FAILED - exchange '{name}' in vhost '/' in use",
            Amqp.ExchangeClass, Amqp.ExchangeDelete);

        await ExchangeExistsAsync(t.Connection, name);
    }

    [Fact]
    public async Task Delete_if_unused_of_an_exchange_that_is_the_source_of_an_exchange_binding_is_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        await t.Channel.ExchangeBindAsync(destination, source, string.Empty);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeleteAsync(source, ifUnused: true),
            Amqp.PreconditionFailed, $"PRECONDITION_FAILED - exchange '{source}' in vhost '/' in use",
            Amqp.ExchangeClass, Amqp.ExchangeDelete);
    }

    [Fact]
    public async Task Delete_if_unused_ignores_bindings_where_the_exchange_is_only_the_destination()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        await t.Channel.ExchangeBindAsync(destination, source, string.Empty);

        await t.Channel.ExchangeDeleteAsync(destination, ifUnused: true);

        await ExchangeMissingAsync(t.Connection, destination);
    }

    [Fact]
    public async Task Delete_if_unused_of_an_exchange_without_bindings_succeeds()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Direct);

        await t.Channel.ExchangeDeleteAsync(name, ifUnused: true);

        await ExchangeMissingAsync(t.Connection, name);
    }

    [Fact]
    public async Task Deleting_an_exchange_removes_its_bindings()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = await t.ExchangeAsync(ExchangeType.Direct);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, name, "k");

        await t.Channel.ExchangeDeleteAsync(name, ifUnused: false);
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: false);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, name, "k", "after-recreate");
        Assert.Empty(await DrainAsync(t.Channel, queue));
    }

    [Fact]
    public async Task Auto_delete_exchange_survives_until_it_ever_had_a_binding()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: true);

        await ExchangeExistsAsync(t.Connection, name);
    }

    [Fact]
    public async Task Auto_delete_exchange_disappears_when_its_last_queue_binding_is_removed()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Direct, durable: false, autoDelete: true);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, name, "a");
        await t.Channel.QueueBindAsync(queue, name, "b");

        await t.Channel.QueueUnbindAsync(queue, name, "a");
        await ExchangeExistsAsync(t.Connection, name);

        await t.Channel.QueueUnbindAsync(queue, name, "b");
        await ExchangeMissingAsync(t.Connection, name);
    }

    [Fact]
    public async Task Auto_delete_exchange_disappears_when_its_bound_queue_is_deleted()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var name = t.ExchangeName();
        await t.Channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: false, autoDelete: true);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, name, string.Empty);

        await t.Channel.QueueDeleteAsync(queue);

        await ExchangeMissingAsync(t.Connection, name);
    }

    [Fact]
    public async Task Auto_delete_exchange_disappears_when_its_last_exchange_binding_is_removed()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = t.ExchangeName("src");
        await t.Channel.ExchangeDeclareAsync(source, ExchangeType.Fanout, durable: false, autoDelete: true);
        var destination = await t.ExchangeAsync(ExchangeType.Fanout, "dst");
        await t.Channel.ExchangeBindAsync(destination, source, string.Empty);

        await t.Channel.ExchangeUnbindAsync(destination, source, string.Empty);

        await ExchangeMissingAsync(t.Connection, source);
        await ExchangeExistsAsync(t.Connection, destination);
    }

    [Fact]
    public async Task Auto_delete_exchange_is_not_deleted_when_a_binding_to_it_as_destination_is_removed()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout, "src");
        var destination = t.ExchangeName("dst");
        await t.Channel.ExchangeDeclareAsync(destination, ExchangeType.Fanout, durable: false, autoDelete: true);
        await t.Channel.ExchangeBindAsync(destination, source, string.Empty);

        await t.Channel.ExchangeUnbindAsync(destination, source, string.Empty);

        await ExchangeExistsAsync(t.Connection, destination);
    }

    [Fact]
    public async Task Deleting_the_default_exchange_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeleteAsync(string.Empty, ifUnused: false),
            Amqp.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            Amqp.ExchangeClass, Amqp.ExchangeDelete);
    }

    [Fact]
    public async Task Deleting_a_predeclared_amq_exchange_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);

        await ClosedWithAsync(
            () => t.Channel.ExchangeDeleteAsync("amq.fanout", ifUnused: false),
            Amqp.AccessRefused, "ACCESS_REFUSED - deletion of system exchange 'amq.fanout' in vhost '/' not allowed",
            Amqp.ExchangeClass, Amqp.ExchangeDelete);
        await ExchangeExistsAsync(t.Connection, "amq.fanout");
    }

    [Fact]
    public async Task Binding_a_queue_to_the_default_exchange_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();

        await ClosedWithAsync(
            () => t.Channel.QueueBindAsync(queue, string.Empty, queue),
            Amqp.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            Amqp.QueueClass, Amqp.QueueBind);
    }

    [Fact]
    public async Task Unbinding_a_queue_from_the_default_exchange_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();

        await ClosedWithAsync(
            () => t.Channel.QueueUnbindAsync(queue, string.Empty, queue),
            Amqp.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            Amqp.QueueClass, Amqp.QueueUnbind);
    }

    [Fact]
    public async Task Binding_the_default_exchange_as_exchange_binding_source_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var destination = await t.ExchangeAsync(ExchangeType.Fanout);

        await ClosedWithAsync(
            () => t.Channel.ExchangeBindAsync(destination, string.Empty, "k"),
            Amqp.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            Amqp.ExchangeClass, Amqp.ExchangeBind);
    }

    [Fact]
    public async Task Binding_the_default_exchange_as_exchange_binding_destination_is_403()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var source = await t.ExchangeAsync(ExchangeType.Fanout);

        await ClosedWithAsync(
            () => t.Channel.ExchangeBindAsync(string.Empty, source, "k"),
            Amqp.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            Amqp.ExchangeClass, Amqp.ExchangeBind);
    }
}
