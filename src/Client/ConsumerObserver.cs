using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Client;

/// <summary>
/// The object a queue delivers to for one <see cref="QueueConsumer"/>, registered with Orleans as an observer (the
/// client's, or the silo's for a co-hosted app). Orleans holds it weakly: the consumer keeps it alive.
/// </summary>
internal sealed class ConsumerObserver(QueueConsumer consumer) : IConsumerObserver
{
    public Task Deliver(DeliveryBatch batch)
    {
        consumer.OnDeliveries(batch);
        return Task.CompletedTask;
    }

    public Task ConsumerCancelled(string queue, string consumerTag, long delivered)
    {
        consumer.OnCancelledByBroker();
        return Task.CompletedTask;
    }
}
