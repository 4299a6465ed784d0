namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A channel with consumers on this queue: its observer, how many of its consumers are attached, and the deliveries
/// gathered for it in the current turn, sent in one observer call at its end.
/// </summary>
internal sealed class ChannelDeliveries(IConsumerObserver observer)
{
    public IConsumerObserver Observer { get; } = observer;

    public int Consumers { get; set; }

    public List<Delivery> Pending { get; } = new();
}
