namespace OrleansBroker.Client;

/// <summary>
/// What an app gives <see cref="BrokerSession.ConsumeAsync(string, IDeliveryObserver, ConsumeOptions?)"/> to be handed
/// its messages: one call at a time, in the order the queue delivered them.
/// </summary>
public interface IDeliveryObserver
{
    /// <summary>
    /// One message. Settle it (<see cref="DeliveredMessage.AckAsync"/>, <see cref="DeliveredMessage.RequeueAsync"/>,
    /// <see cref="DeliveredMessage.RejectAsync"/>) here or later, unless the consumer acknowledges automatically.
    /// An exception thrown here stops the consumer: its unsettled messages go back to the queue and
    /// <see cref="QueueConsumer.Completion"/> fails with the exception. <paramref name="cancellationToken"/> is cancelled
    /// when the consumer is disposed.
    /// </summary>
    Task OnDeliveryAsync(DeliveredMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// The broker cancelled the consumer (its queue was deleted), after the messages received before were handed over:
    /// nothing more follows. AMQP clients get basic.cancel then.
    /// </summary>
    Task OnCancelledAsync() => Task.CompletedTask;
}
