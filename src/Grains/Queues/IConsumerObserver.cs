namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A channel as its queues see it: the gateway's end of its consumers. One-way calls, in order from each queue:
/// a queue never waits for a client.
/// </summary>
[Alias("ob.IConsumerObserver")]
public interface IConsumerObserver : IGrainObserver
{
    /// <summary>Deliveries within the consumers' credit; the channel writes them as basic.deliver.</summary>
    [OneWay, Alias("Deliver")]
    Task Deliver(DeliveryBatch batch);

    /// <summary>
    /// The queue went away under the consumer (deleted) after sending it <paramref name="delivered"/> deliveries in
    /// all: basic.cancel goes to the client.
    /// </summary>
    [OneWay, Alias("ConsumerCancelled")]
    Task ConsumerCancelled(string queue, string consumerTag, long delivered);
}
