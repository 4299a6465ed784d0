using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.VirtualHosts;
using static OrleansBroker.Tests.Grains.ChannelRequests;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A <see cref="BrokerException"/> thrown in a grain reaches the caller as itself, reply code and text intact: through
/// the silo's grain factory (a gateway in the silo), through the cluster client (serialized), and across a grain
/// that called the grain which threw.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class BrokerExceptionRoundTripTests(OneSiloCluster cluster)
{
    private const string Connection = "connection-1";

    [Fact]
    public async Task Through_the_silo_s_grain_factory_and_the_cluster_client()
    {
        var vhost = BrokerCluster.NewVirtualHost();
        foreach (var grains in new IGrainFactory[] { BrokerCluster.GrainFactoryOf(cluster.Silos[0]), cluster.Client })
        {
            var refused = await Assert.ThrowsAsync<BrokerException>(
                async () => await grains.GetGrain<IVirtualHostGrain>(vhost).DeclareQueue(MissingQueue, passive: true, Connection, clientNode: null));

            Assert.Equal(ReplyCode.NotFound, refused.Code);
            Assert.Equal($"no queue 'missing' in vhost '{vhost}'", refused.Message);
            Assert.Equal($"NOT_FOUND - no queue 'missing' in vhost '{vhost}'", refused.ReplyText);
        }
    }

    [Fact]
    public async Task From_the_queue_grain_through_the_virtual_host_grain_to_the_client()
    {
        var queue = await DeclaredQueue.DeclareAsync(cluster.Client);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 1), RecordingConsumer.Create(cluster.Client).Reference);

        var refused = await Assert.ThrowsAsync<BrokerException>(async () =>
            await cluster.Client.GetGrain<IVirtualHostGrain>(queue.VirtualHost).DeleteQueue(queue.Name, ifUnused: true, ifEmpty: false, DeclaredQueue.Connection));

        Assert.Equal(ReplyCode.PreconditionFailed, refused.Code);
        Assert.Equal(queue.ReplyAbout("PRECONDITION_FAILED", "in use"), refused.ReplyText);
    }

    private static QueueDeclaration MissingQueue => new("missing", false, false, false, FieldTable.Empty);
}
