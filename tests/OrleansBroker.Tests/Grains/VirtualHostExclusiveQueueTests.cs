using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.BrokerExceptionAssert;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// An exclusive queue belongs to the connection that declared it: any other connection is refused 405
/// RESOURCE_LOCKED (Integration/Topology/ExclusiveQueueTests has the text from RabbitMQ), whatever it tries.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class VirtualHostExclusiveQueueTests(OneSiloCluster cluster)
{
    private const string Owner = "connection-owner";
    private const string Other = "connection-other";

    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IVirtualHostGrain VirtualHost => cluster.Client.GetGrain<IVirtualHostGrain>(_vhost);

    private string Locked => $"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'q' in vhost '{_vhost}'. " +
        "It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";

    [Fact]
    public async Task The_owner_uses_its_exclusive_queue()
    {
        await VirtualHost.DeclareQueue(Exclusive("q"), passive: false, Owner, clientNode: null);
        await VirtualHost.DeclareExchange(new ExchangeDeclaration("x", "direct", false, false, false, FieldTable.Empty), passive: false);

        Assert.Equal(new QueueDeclareResult("q", 0, 0), await VirtualHost.DeclareQueue(Exclusive("q"), passive: false, Owner, clientNode: null));
        Assert.Equal(new QueueDeclareResult("q", 0, 0), await VirtualHost.DeclareQueue(Exclusive("q"), passive: true, Owner, clientNode: null));
        Assert.Equal(GrainKeys.Queue(_vhost, "q"), await VirtualHost.ResolveQueue("q", Owner));
        await VirtualHost.Bind(ToQueue("x", "q"), Owner);
        await VirtualHost.Unbind(ToQueue("x", "q"), Owner);
        Assert.Equal(0u, await VirtualHost.PurgeQueue("q", Owner));
        Assert.Equal(0u, await VirtualHost.DeleteQueue("q", ifUnused: false, ifEmpty: false, Owner));
    }

    [Fact]
    public async Task Another_connection_is_locked_out_of_it()
    {
        await VirtualHost.DeclareQueue(Exclusive("q"), passive: false, Owner, clientNode: null);
        await VirtualHost.DeclareExchange(new ExchangeDeclaration("x", "direct", false, false, false, FieldTable.Empty), passive: false);

        await RefusedAsync(ReplyCode.ResourceLocked, Locked, () => VirtualHost.DeclareQueue(Exclusive("q"), passive: false, Other, clientNode: null));
        await RefusedAsync(ReplyCode.ResourceLocked, Locked, () => VirtualHost.DeclareQueue(Exclusive("q"), passive: true, Other, clientNode: null));
        await RefusedAsync(ReplyCode.ResourceLocked, Locked, () => VirtualHost.ResolveQueue("q", Other));
        await RefusedAsync(ReplyCode.ResourceLocked, Locked, () => VirtualHost.Bind(ToQueue("x", "q"), Other));
        await RefusedAsync(ReplyCode.ResourceLocked, Locked, () => VirtualHost.Unbind(ToQueue("x", "q"), Other));
        await RefusedAsync(ReplyCode.ResourceLocked, Locked, () => VirtualHost.PurgeQueue("q", Other));
        await RefusedAsync(ReplyCode.ResourceLocked, Locked, () => VirtualHost.DeleteQueue("q", ifUnused: false, ifEmpty: false, Other));

        Assert.Equal(new QueueDeclareResult("q", 0, 0), await VirtualHost.DeclareQueue(Exclusive("q"), passive: true, Owner, clientNode: null));
    }

    [Fact]
    public async Task Redeclaring_it_as_not_exclusive_is_locked_out_even_for_the_owner()
    {
        await VirtualHost.DeclareQueue(Exclusive("q"), passive: false, Owner, clientNode: null);

        await RefusedAsync(ReplyCode.ResourceLocked, Locked,
            () => VirtualHost.DeclareQueue(new QueueDeclaration("q", false, Exclusive: false, false, FieldTable.Empty), passive: false, Owner, clientNode: null));
    }

    private static QueueDeclaration Exclusive(string name) => new(name, Durable: false, Exclusive: true, AutoDelete: false, FieldTable.Empty);

    private static Binding ToQueue(string exchange, string queue) => new(exchange, BindingDestination.Queue(queue), "k", FieldTable.Empty);
}
