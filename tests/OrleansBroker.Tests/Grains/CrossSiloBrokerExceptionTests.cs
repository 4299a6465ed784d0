using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using static OrleansBroker.Tests.Grains.BrokerExceptionAssert;
using static OrleansBroker.Tests.Grains.ChannelRequests;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A <see cref="BrokerException"/> thrown on one silo reaches a caller on another (and the client) with its reply
/// code and text, also when it passes through a grain on a third silo.
/// </summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class CrossSiloBrokerExceptionTests(ThreeSiloCluster cluster)
{
    [Fact]
    public async Task From_the_virtual_host_s_silo_to_the_other_silos_and_the_client()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var callers = new[] { BrokerCluster.GrainFactoryOf(topology.ExchangeSilo), BrokerCluster.GrainFactoryOf(topology.QueueSilo), cluster.Client };

        foreach (var grains in callers)
        {
            await RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no queue 'missing' in vhost '{topology.VirtualHost}'",
                () => topology.VirtualHostGrain(grains).DeclareQueue(new QueueDeclaration("missing", false, false, false, FieldTable.Empty), passive: true, "connection-2", clientNode: null));
        }
    }

    [Fact]
    public async Task From_the_queue_s_silo_to_a_consumer_s_gateway_on_another()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        var gateway = BrokerCluster.GrainFactoryOf(topology.ExchangeSilo);
        await topology.QueueGrain(gateway).Consume(Registration("ch-1", "owner", credit: 1, exclusive: true), RecordingConsumer.Create(gateway).Reference);

        await RefusedAsync(ReplyCode.AccessRefused, $"ACCESS_REFUSED - queue 'q' in vhost '{topology.VirtualHost}' in exclusive use",
            () => topology.QueueGrain(gateway).Consume(Registration("ch-2", "other", credit: 1), RecordingConsumer.Create(gateway).Reference));
    }

    [Fact]
    public async Task From_the_queue_s_silo_through_the_virtual_host_s_silo_to_a_third()
    {
        var topology = await SpreadTopology.DeclareAsync(cluster);
        await topology.QueueGrain(cluster.Client).Consume(Registration("ch", "ctag", credit: 1), RecordingConsumer.Create(cluster.Client).Reference);

        await RefusedAsync(ReplyCode.PreconditionFailed, $"PRECONDITION_FAILED - queue 'q' in vhost '{topology.VirtualHost}' in use",
            () => topology.VirtualHostGrain(BrokerCluster.GrainFactoryOf(topology.ExchangeSilo))
                .DeleteQueue(SpreadTopology.Queue, ifUnused: true, ifEmpty: false, SpreadTopology.Connection));
    }
}
