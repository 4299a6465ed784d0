using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// Grain state is in storage every silo shares (PostgreSQL in a real cluster, one SQLite file here): a grain moved to
/// another silo (deactivated, then activated there) finds its state.
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class GrainStateAcrossSilosTests(ThreeSiloCluster cluster)
{
    [Fact]
    public async Task An_exchange_activated_on_another_silo_has_its_bindings()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var exchange = topology.ExchangeGrain(cluster.Client);

        await cluster.MoveAsync(exchange, topology.QueueSilo, async moved => await moved.GetBindings());

        Assert.Equal(
            [new Binding(SpreadTopology.Exchange, BindingDestination.Queue(SpreadTopology.Queue), SpreadTopology.RoutingKey, FieldTable.Empty)],
            await exchange.GetBindings());
    }
}
