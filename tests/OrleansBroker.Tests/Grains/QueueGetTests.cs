using OrleansBroker.Grains.Model;
using static OrleansBroker.Tests.Grains.ChannelRequests;
using static OrleansBroker.Tests.Grains.PublishedMessages;

namespace OrleansBroker.Tests.Grains;

/// <summary>basic.get: the head of the queue, settled at once with no-ack or left for the channel to settle.</summary>
[Collection(OneSiloCluster.Collection)]
public sealed class QueueGetTests(OneSiloCluster cluster)
{
    private IGrainFactory Grains => BrokerCluster.GrainFactoryOf(cluster.Silos[0]);

    [Fact]
    public async Task Get_on_an_empty_queue_finds_nothing()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);

        var get = await queue.Grain.Get("ch", noAck: false);

        Assert.Null(get.Delivery);
        Assert.Equal(0u, get.MessageCount);
    }

    [Fact]
    public async Task Get_takes_the_head_and_reports_what_is_left()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2", "m3"));

        var first = await queue.Grain.Get("ch", noAck: true);
        var second = await queue.Grain.Get("ch", noAck: true);

        Assert.Equal("m1", BodyOf(first.Delivery!.Value));
        Assert.Equal(2u, first.MessageCount);
        Assert.Equal("m2", BodyOf(second.Delivery!.Value));
        Assert.Equal(1u, second.MessageCount);
        Assert.Equal("", first.Delivery!.Value.ConsumerTag);
        Assert.False(first.Delivery!.Value.Redelivered);
    }

    [Fact]
    public async Task A_message_got_without_no_ack_can_be_requeued_and_comes_back_redelivered()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2"));
        var got = (await queue.Grain.Get("ch", noAck: false)).Delivery!.Value;

        await queue.Grain.Settle(Settle("ch", SettlementKind.Requeue, got));

        var again = await queue.Grain.Get("ch", noAck: false);
        Assert.Equal("m1", BodyOf(again.Delivery!.Value));
        Assert.True(again.Delivery!.Value.Redelivered);
        Assert.Equal(1u, again.MessageCount);
    }

    [Fact]
    public async Task A_message_got_with_no_ack_is_settled_already()
    {
        var queue = await DeclaredQueue.DeclareAsync(Grains);
        await queue.Grain.Enqueue(TransientBatch("m1", "m2"));
        var got = (await queue.Grain.Get("ch", noAck: true)).Delivery!.Value;

        await queue.Grain.Settle(Settle("ch", SettlementKind.Requeue, got));

        Assert.Equal(1u, (await queue.Grain.GetCounts()).MessageCount);
        Assert.Equal("m2", BodyOf((await queue.Grain.Get("ch", noAck: true)).Delivery!.Value));
    }
}
