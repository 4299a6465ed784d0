namespace OrleansBroker.Grains.Queues;

/// <summary>A consumer attached to a queue, and whether it refused the last offer (no credit).</summary>
internal sealed class ConsumerSlot(ConsumerRegistration registration, IConsumerObserver observer)
{
    public ConsumerRegistration Registration { get; } = registration;

    public IConsumerObserver Observer { get; } = observer;

    public bool Blocked { get; set; }
}
