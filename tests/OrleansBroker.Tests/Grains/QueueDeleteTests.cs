using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>Deleting a queue: its consumers are told, and if-unused / if-empty refuse with RabbitMQ's 406 texts.</summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueueDeleteTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task Delete_cancels_the_consumers_and_drops_the_ready_messages()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        var consumer = RecordingConsumer.Create(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 2), consumer.Reference);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3", "m4", "m5"));

        var dropped = await queue.Grain.Delete(ifUnused: false, ifEmpty: false);

        Assert.Equal(3u, dropped);
        Assert.Equal(new ConsumerCancellation(queue.Name, "ctag", Delivered: 2), await consumer.WaitForCancellationAsync());
        var gone = await Assert.ThrowsAsync<BrokerException>(async () => await queue.Grain.Get("ch", noAck: true));
        Assert.Equal(ReplyCode.NotFound, gone.Code);
        Assert.Equal($"NOT_FOUND - no queue '{queue.Name}' in vhost '{queue.VirtualHost}'", gone.ReplyText);
    }

    [Fact]
    public async Task Delete_if_unused_refuses_while_a_consumer_is_attached()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        await queue.Grain.Consume(Registration("ch", "ctag", credit: 2), RecordingConsumer.Create(Grains).Reference);

        var refused = await Assert.ThrowsAsync<BrokerException>(async () => await queue.Grain.Delete(ifUnused: true, ifEmpty: false));

        Assert.Equal(ReplyCode.PreconditionFailed, refused.Code);
        Assert.Equal(queue.ReplyAbout("PRECONDITION_FAILED", "in use"), refused.ReplyText);
        Assert.Equal(new QueueCounts(0, 1), await queue.Grain.GetCounts());
    }

    [Fact]
    public async Task Delete_if_empty_refuses_while_messages_are_ready()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        await queue.Grain.Enqueue(TransientBatch("m1"));

        var refused = await Assert.ThrowsAsync<BrokerException>(async () => await queue.Grain.Delete(ifUnused: false, ifEmpty: true));

        Assert.Equal(ReplyCode.PreconditionFailed, refused.Code);
        Assert.Equal(queue.ReplyAbout("PRECONDITION_FAILED", "not empty"), refused.ReplyText);
        Assert.Equal(new QueueCounts(1, 0), await queue.Grain.GetCounts());
    }

    [Fact]
    public async Task Delete_if_unused_and_if_empty_succeeds_on_an_idle_empty_queue()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);

        Assert.Equal(0u, await queue.Grain.Delete(ifUnused: true, ifEmpty: true));

        await Assert.ThrowsAsync<BrokerException>(async () => await queue.Grain.Get("ch", noAck: true));
    }
}
