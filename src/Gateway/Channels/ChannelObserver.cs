using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// The object queues call for one channel's consumers (registered with Orleans as an observer). Orleans keeps only
/// a weak reference to it: the channel holds the strong one for as long as it has consumers.
/// </summary>
internal sealed class ChannelObserver(AmqpChannel channel) : IConsumerObserver
{
    public Task Deliver(DeliveryBatch batch)
    {
        channel.OnDeliveries(batch);
        return Task.CompletedTask;
    }

    public Task ConsumerCancelled(string queue, string consumerTag, long delivered)
    {
        channel.OnConsumerQueueDeleted(consumerTag, delivered);
        return Task.CompletedTask;
    }
}
