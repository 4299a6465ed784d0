using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.BrokerExceptionAssert;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// exchange.declare and exchange.delete through the virtual host: the standard exchanges, RabbitMQ's equivalence rule
/// and refusals, with the reply texts of Integration/Topology/ExchangeDeclareTests and ExchangeDeleteTests.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class VirtualHostExchangeTests(OneSiloCluster cluster)
{
    private const string Connection = "connection-1";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IVirtualHostGrain VirtualHost => cluster.Client.GetGrain<IVirtualHostGrain>(_vhost);

    [Fact]
    public async Task A_new_virtual_host_has_the_standard_exchanges()
    {
        foreach (var name in new[] { "amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match", "amq.rabbitmq.trace" })
        {
            await VirtualHost.DeclareExchange(Exchange(name, "direct"), passive: true);
        }

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '{_vhost}': received 'fanout' but current is 'direct'",
            () => VirtualHost.DeclareExchange(Exchange("amq.direct", "fanout", durable: true), passive: false));
    }

    [Fact]
    public async Task Declare_creates_the_exchange_grain_and_an_equivalent_redeclare_succeeds()
    {
        var declaration = Exchange("x", "topic", arguments: Arguments.Of(("alternate-exchange", "ae")));

        await VirtualHost.DeclareExchange(declaration, passive: false);
        await VirtualHost.DeclareExchange(declaration, passive: false);
        await VirtualHost.DeclareExchange(Exchange("x", "direct"), passive: true);

        Assert.Empty(await cluster.Client.GetGrain<IExchangeGrain>(GrainKeys.Exchange(_vhost, "x")).GetBindings());
    }

    [Theory]
    [InlineData("type", "x", "topic", false, false, false, "'topic'", "'direct'")]
    [InlineData("durable", "x", "direct", true, false, false, "'true'", "'false'")]
    [InlineData("auto_delete", "x", "direct", false, true, false, "'true'", "'false'")]
    [InlineData("internal", "x", "direct", false, false, true, "'true'", "'false'")]
    public async Task Redeclare_with_a_different_property_is_406(
        string field, string name, string type, bool durable, bool autoDelete, bool isInternal, string received, string current)
    {
        await VirtualHost.DeclareExchange(Exchange(name, "direct"), passive: false);

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg '{field}' for exchange '{name}' in vhost '{_vhost}': received {received} but current is {current}",
            () => VirtualHost.DeclareExchange(Exchange(name, type, durable, autoDelete, isInternal), passive: false));
    }

    [Fact]
    public async Task Redeclare_with_another_alternate_exchange_is_406()
    {
        await VirtualHost.DeclareExchange(Exchange("x", "direct", arguments: Arguments.Of(("alternate-exchange", "ae1"))), passive: false);

        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '{_vhost}': received 'ae2' but current is 'ae1'",
            () => VirtualHost.DeclareExchange(Exchange("x", "direct", arguments: Arguments.Of(("alternate-exchange", "ae2"))), passive: false));
        await RefusedAsync(ReplyCode.PreconditionFailed,
            $"PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '{_vhost}': received none but current is the value 'ae1' of type 'longstr'",
            () => VirtualHost.DeclareExchange(Exchange("x", "direct"), passive: false));
    }

    [Fact]
    public async Task Refusals_of_exchange_declare()
    {
        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no exchange 'missing' in vhost '{_vhost}'",
            () => VirtualHost.DeclareExchange(Exchange("missing", "direct"), passive: true));
        await RefusedAsync(ReplyCode.CommandInvalid, "COMMAND_INVALID - unknown exchange type 'DIRECT'",
            () => VirtualHost.DeclareExchange(Exchange("x", "DIRECT"), passive: false));
        await RefusedAsync(ReplyCode.CommandInvalid, "COMMAND_INVALID - invalid exchange type ''",
            () => VirtualHost.DeclareExchange(Exchange("x", ""), passive: false));
        await RefusedAsync(ReplyCode.AccessRefused, "ACCESS_REFUSED - exchange name 'amq.x' contains reserved prefix 'amq.*'",
            () => VirtualHost.DeclareExchange(Exchange("amq.x", "direct"), passive: false));
        await RefusedAsync(ReplyCode.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            () => VirtualHost.DeclareExchange(Exchange("", "direct"), passive: false));
    }

    [Fact]
    public async Task Delete_if_unused_refuses_an_exchange_with_bindings_and_delete_removes_it()
    {
        await VirtualHost.DeclareExchange(Exchange("x", "fanout"), passive: false);
        await VirtualHost.DeclareQueue(new QueueDeclaration("q", false, false, false, FieldTable.Empty), passive: false, Connection, clientNode: null);
        await VirtualHost.Bind(new Binding("x", BindingDestination.Queue("q"), "", FieldTable.Empty), Connection);

        await RefusedAsync(ReplyCode.PreconditionFailed, $"PRECONDITION_FAILED - exchange 'x' in vhost '{_vhost}' in use",
            () => VirtualHost.DeleteExchange("x", ifUnused: true));
        await VirtualHost.DeleteExchange("x", ifUnused: false);

        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no exchange 'x' in vhost '{_vhost}'",
            () => VirtualHost.DeclareExchange(Exchange("x", "fanout"), passive: true));

        // Deleting what is not there succeeds, as in RabbitMQ.
        await VirtualHost.DeleteExchange("x", ifUnused: false);
    }

    [Fact]
    public async Task Refusals_of_exchange_delete()
    {
        await RefusedAsync(ReplyCode.AccessRefused, $"ACCESS_REFUSED - deletion of system exchange 'amq.fanout' in vhost '{_vhost}' not allowed",
            () => VirtualHost.DeleteExchange("amq.fanout", ifUnused: false));
        await RefusedAsync(ReplyCode.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            () => VirtualHost.DeleteExchange("", ifUnused: false));
    }

    private static ExchangeDeclaration Exchange(string name, string type, bool durable = false, bool autoDelete = false, bool isInternal = false, FieldTable? arguments = null) =>
        new(name, type, durable, autoDelete, isInternal, arguments ?? FieldTable.Empty);
}
