using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A queue declared through its virtual host as queue.declare does (in a virtual host of its own), and its grain,
/// which the tests then call as a channel would.
/// </summary>
public sealed record DeclaredQueue(string VirtualHost, string Name, IQueueGrain Grain)
{
    public const string Connection = "connection-1";

    /// <summary>The reply text a <see cref="BrokerException"/> about this queue carries, e.g. "in use".</summary>
    public string ReplyAbout(string code, string detail) => $"{code} - queue '{Name}' in vhost '{VirtualHost}' {detail}";

    public static async Task<DeclaredQueue> DeclareAsync(IGrainFactory grains, bool durable = false, bool autoDelete = false, string name = "q")
    {
        var vhost = BrokerCluster.NewVirtualHost();
        await grains.GetGrain<IVirtualHostGrain>(vhost)
            .DeclareQueue(new QueueDeclaration(name, durable, Exclusive: false, autoDelete, FieldTable.Empty), passive: false, Connection, clientNode: null);
        return new DeclaredQueue(vhost, name, grains.GetGrain<IQueueGrain>(GrainKeys.Queue(vhost, name)));
    }
}
