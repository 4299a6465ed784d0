using System.Text;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Tests.Grains;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.QueueFeatures;

/// <summary>
/// Queue features across a restart of the queue grain (as a node's restart deactivates every grain) and from
/// policies: message deadlines and priority order survive, the policies the virtual host applied are kept.
/// </summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueueGrainFeatureTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task A_durable_queue_s_message_deadlines_survive_a_restart()
    {
        var queue = await DeclareAsync(durable: true, ("x-message-ttl", 1500));
        await queue.Grain.Enqueue(Batch(Persistent("p1")));
        await Task.Delay(800);

        await RestartAsync(queue);
        Assert.Equal(1u, (await queue.Grain.GetCounts()).MessageCount);

        // Counted from the enqueue, not from the restart: gone 1.5 s after it was published.
        await Task.Delay(1000);
        Assert.Null((await queue.Grain.Get("ch", noAck: true)).Delivery);
    }

    [Fact]
    public async Task Priority_order_survives_a_restart()
    {
        var queue = await DeclareAsync(durable: true, ("x-max-priority", 5));
        await queue.Grain.Enqueue(Batch(WithPriority("low", 1), WithPriority("high", 5), WithPriority("none", null), WithPriority("middle", 3)));

        await RestartAsync(queue);

        Assert.Equal(["high", "middle", "low", "none"], await GetAllAsync(queue));
    }

    [Fact]
    public async Task Applied_policies_take_effect_at_once_and_are_kept_across_a_restart()
    {
        var queue = await DeclareAsync(durable: true);
        await queue.Grain.Enqueue(TransientBatch("1", "2", "3", "4", "5"));

        var policy = new Policy(queue.VirtualHost, "limit", ".*", PolicyApplyTo.Queues, 0, PolicyDefinition.ParseJson("""{"max-length":2}"""));
        await queue.Grain.ApplyPolicies(new AppliedPolicies(policy, null));
        Assert.Equal(2u, (await queue.Grain.GetCounts()).MessageCount);

        await RestartAsync(queue);
        await queue.Grain.Enqueue(TransientBatch("6", "7", "8"));
        Assert.Equal(["7", "8"], await GetAllAsync(queue));
    }

    [Fact]
    public async Task Reject_publish_reports_the_refused_positions()
    {
        var queue = await DeclareAsync(durable: false, ("x-max-length", 2), ("x-overflow", "reject-publish"));

        var outcome = await queue.Grain.Enqueue(TransientBatch("1", "2", "3", "4"));

        Assert.Equal([2, 3], outcome.Rejected!);
        Assert.Null((await queue.Grain.Enqueue(TransientBatch())).Rejected);
    }

    private async Task<DeclaredQueue> DeclareAsync(bool durable, params (string Key, object? Value)[] arguments)
    {
        var vhost = BrokerCluster.NewVirtualHost();
        var table = new FieldTable(arguments.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value)).ToArray());
        await Grains.GetGrain<IVirtualHostGrain>(vhost)
            .DeclareQueue(new QueueDeclaration("q", durable, Exclusive: false, AutoDelete: false, table), passive: false, DeclaredQueue.Connection, clientNode: null);
        return new DeclaredQueue(vhost, "q", Grains.GetGrain<IQueueGrain>(GrainKeys.Queue(vhost, "q")));
    }

    private static Message WithPriority(string body, byte? priority)
    {
        var properties = BasicPropertiesWriter.ToArray(new MessageProperties { DeliveryMode = 2, Priority = priority });
        return new Message("", "q", properties, BasicPropertiesReader.ReadSummary(properties), Encoding.UTF8.GetBytes(body));
    }

    private async Task RestartAsync(DeclaredQueue queue)
    {
        await cluster.FlushMessageStoresAsync();
        await cluster.Cluster.DeactivateAsync(queue.Grain);
    }

    private static async Task<List<string>> GetAllAsync(DeclaredQueue queue)
    {
        var bodies = new List<string>();
        while ((await queue.Grain.Get("ch", noAck: true)).Delivery is { } delivery)
        {
            bodies.Add(BodyOf(delivery));
        }

        return bodies;
    }
}
