using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// The exchange grain through its own interface (the virtual host is its only caller in the broker): it keeps its
/// bindings as a set, reports what changed, and publishes its router to its silo's routing table on every change.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class ExchangeGrainTests(OneSiloCluster cluster)
{
    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IExchangeGrain Exchange => cluster.Client.GetGrain<IExchangeGrain>(GrainKeys.Exchange(_vhost, "x"));

    private VirtualHostRoutingTable Table => BrokerCluster.RoutingTablesOf(cluster.Silos[0]).For(_vhost);

    [Fact]
    public async Task Bindings_are_a_set_and_each_change_reports_what_remains()
    {
        await Exchange.Create(_vhost, new ExchangeDeclaration("x", "fanout", false, false, false, FieldTable.Empty));

        Assert.True(await Exchange.AddBinding(ToQueue("q1", "a")));
        Assert.False(await Exchange.AddBinding(ToQueue("q1", "a")));
        Assert.True(await Exchange.AddBinding(ToQueue("q1", "b")));
        Assert.True(await Exchange.AddBinding(ToQueue("q2", "a")));
        Assert.Equal(3, await Exchange.GetBindingCount());

        Assert.Equal((true, 2), await Exchange.RemoveBinding(ToQueue("q2", "a")));
        Assert.Equal((false, 2), await Exchange.RemoveBinding(ToQueue("q2", "a")));
        Assert.Equal(0, await Exchange.RemoveBindingsTo(BindingDestination.Queue("q1")));
        Assert.Empty(await Exchange.GetBindings());
    }

    [Fact]
    public async Task Its_router_in_the_routing_table_follows_its_bindings_until_it_is_deleted()
    {
        Table.AddQueue("q1");
        Table.AddQueue("q2");
        await Exchange.Create(_vhost, new ExchangeDeclaration("x", "fanout", false, false, false, FieldTable.Empty));
        Assert.Empty(Route());

        await Exchange.AddBinding(ToQueue("q1", ""));
        await Exchange.AddBinding(ToQueue("q2", ""));
        Assert.Equal(["q1", "q2"], Route().Order());

        await Exchange.RemoveBindingsTo(BindingDestination.Queue("q1"));
        Assert.Equal(["q2"], Route());

        await Exchange.Delete();
        Assert.False(Table.TryGetExchange("x", out _));
    }

    private string[] Route()
    {
        var result = new RoutingResult();
        Assert.True(Table.Route("x", Transient("m"), result));
        return result.Queues.ToArray();
    }

    private static Binding ToQueue(string queue, string routingKey) => new("x", BindingDestination.Queue(queue), routingKey, FieldTable.Empty);
}
