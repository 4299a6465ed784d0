using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// The exchange grain through its own interface (the virtual host is its only caller in the broker): it keeps its
/// bindings as a set, durably, and reports what each change left.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class ExchangeGrainTests(OneSiloCluster cluster)
{
    private readonly string _vhost = BrokerCluster.NewVirtualHost();

    private IExchangeGrain Exchange => cluster.Client.GetGrain<IExchangeGrain>(GrainKeys.Exchange(_vhost, "x"));

    [Fact]
    public async Task Bindings_are_a_set_and_each_change_reports_what_remains()
    {
        await Exchange.Create(_vhost, new ExchangeDeclaration("x", "fanout", false, false, false, FieldTable.Empty));

        Assert.True(await Exchange.AddBinding(ToQueue("q1", "a")));
        Assert.False(await Exchange.AddBinding(ToQueue("q1", "a")));
        Assert.True(await Exchange.AddBinding(ToQueue("q1", "b")));
        Assert.True(await Exchange.AddBinding(ToQueue("q2", "a")));
        Assert.Equal(3, (await Exchange.GetBindings()).Length);

        Assert.Equal((true, 2), await Exchange.RemoveBinding(ToQueue("q2", "a")));
        Assert.Equal((false, 2), await Exchange.RemoveBinding(ToQueue("q2", "a")));
        Assert.Equal(0, await Exchange.RemoveBindingsTo(BindingDestination.Queue("q1")));
        Assert.Empty(await Exchange.GetBindings());
    }

    [Fact]
    public async Task Bindings_outlive_the_activation_and_delete_clears_them()
    {
        await Exchange.Create(_vhost, new ExchangeDeclaration("x", "direct", false, false, false, FieldTable.Empty));
        await Exchange.AddBinding(ToQueue("q1", "a"));
        await Exchange.AddBinding(ToQueue("q2", "b"));

        await cluster.Cluster.DeactivateAsync(Exchange);
        Assert.Equal([ToQueue("q1", "a"), ToQueue("q2", "b")], (await Exchange.GetBindings()).OrderBy(b => b.RoutingKey));

        await Exchange.Delete();
        await cluster.Cluster.WaitForDeactivationAsync(Exchange);
        Assert.Empty(await Exchange.GetBindings());
    }

    private static Binding ToQueue(string queue, string routingKey) => new("x", BindingDestination.Queue(queue), routingKey, FieldTable.Empty);
}
