using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.BrokerExceptionAssert;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// queue.bind / exchange.bind and their unbinds through the virtual host: the source exchange grain holds the
/// bindings; a binding's ends must exist, and a destination going away takes its bindings with it.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class VirtualHostBindingTests(OneSiloCluster cluster)
{
    private const string Connection = "connection-1";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IVirtualHostGrain VirtualHost => cluster.Client.GetGrain<IVirtualHostGrain>(_vhost);

    [Fact]
    public async Task Bind_and_unbind_change_the_source_exchange_s_bindings()
    {
        await DeclareExchangeAsync("x", "direct");
        await DeclareQueueAsync("q");
        var byKey = ToQueue("x", "q", "k");
        var headers = new Binding("x", BindingDestination.Queue("q"), "k", Arguments.Of(("a", "1")));

        await VirtualHost.Bind(byKey, Connection);
        await VirtualHost.Bind(byKey, Connection);
        await VirtualHost.Bind(headers, Connection);
        Assert.Equal([byKey, headers], (await BindingsOf("x")).OrderBy(b => b.Arguments.Count));

        await VirtualHost.Unbind(byKey, Connection);
        Assert.Equal([headers], await BindingsOf("x"));

        // Unbinding what is not bound succeeds, as in RabbitMQ.
        await VirtualHost.Unbind(byKey, Connection);
        await VirtualHost.Unbind(ToQueue("missing", "q", "k"), Connection);
    }

    [Fact]
    public async Task Binding_needs_both_ends()
    {
        await DeclareExchangeAsync("x", "direct");
        await DeclareQueueAsync("q");

        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no exchange 'missing' in vhost '{_vhost}'",
            () => VirtualHost.Bind(ToQueue("missing", "q", "k"), Connection));
        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no queue 'missing' in vhost '{_vhost}'",
            () => VirtualHost.Bind(ToQueue("x", "missing", "k"), Connection));
        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no exchange 'missing' in vhost '{_vhost}'",
            () => VirtualHost.Bind(new Binding("x", BindingDestination.Exchange("missing"), "k", FieldTable.Empty), Connection));
        await RefusedAsync(ReplyCode.AccessRefused, "ACCESS_REFUSED - operation not permitted on the default exchange",
            () => VirtualHost.Bind(ToQueue("", "q", "q"), Connection));
    }

    [Fact]
    public async Task Deleting_a_queue_removes_the_bindings_to_it()
    {
        await DeclareExchangeAsync("x", "direct");
        await DeclareQueueAsync("q");
        await DeclareQueueAsync("other");
        await VirtualHost.Bind(ToQueue("x", "q", "k"), Connection);
        await VirtualHost.Bind(ToQueue("x", "other", "k"), Connection);

        await VirtualHost.DeleteQueue("q", ifUnused: false, ifEmpty: false, Connection);

        Assert.Equal([ToQueue("x", "other", "k")], await BindingsOf("x"));
    }

    [Fact]
    public async Task An_auto_delete_exchange_goes_with_its_last_binding()
    {
        await DeclareExchangeAsync("x", "fanout", autoDelete: true);
        await DeclareQueueAsync("q");
        await VirtualHost.Bind(ToQueue("x", "q", ""), Connection);

        await VirtualHost.Unbind(ToQueue("x", "q", ""), Connection);

        await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no exchange 'x' in vhost '{_vhost}'",
            () => VirtualHost.DeclareExchange(new ExchangeDeclaration("x", "fanout", false, true, false, FieldTable.Empty), passive: true));
    }

    [Fact]
    public async Task Exchange_to_exchange_bindings_go_when_the_destination_exchange_is_deleted()
    {
        await DeclareExchangeAsync("source", "topic");
        await DeclareExchangeAsync("destination", "fanout");
        var binding = new Binding("source", BindingDestination.Exchange("destination"), "a.#", FieldTable.Empty);

        await VirtualHost.Bind(binding, Connection);
        Assert.Equal([binding], await BindingsOf("source"));

        await VirtualHost.DeleteExchange("destination", ifUnused: false);
        Assert.Empty(await BindingsOf("source"));
    }

    private ValueTask DeclareExchangeAsync(string name, string type, bool autoDelete = false) =>
        VirtualHost.DeclareExchange(new ExchangeDeclaration(name, type, Durable: false, autoDelete, Internal: false, FieldTable.Empty), passive: false);

    private async Task DeclareQueueAsync(string name) =>
        await VirtualHost.DeclareQueue(new QueueDeclaration(name, Durable: false, Exclusive: false, AutoDelete: false, FieldTable.Empty), passive: false, Connection, clientNode: null);

    private async Task<Binding[]> BindingsOf(string exchange) =>
        await cluster.Client.GetGrain<IExchangeGrain>(GrainKeys.Exchange(_vhost, exchange)).GetBindings();

    private static Binding ToQueue(string exchange, string queue, string routingKey) =>
        new(exchange, BindingDestination.Queue(queue), routingKey, FieldTable.Empty);
}
