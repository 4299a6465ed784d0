namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A channel with consumers on this queue: its observer, how many of its consumers are attached, and the deliveries
/// gathered for it in the current turn, sent in one observer call at its end.
/// </summary>
internal sealed class ChannelDeliveries(string channelId, IConsumerObserver observer)
{
    public string ChannelId { get; } = channelId;

    /// <summary>The channel's Orleans observer (used when the channel is not in this process).</summary>
    public IConsumerObserver Observer { get; } = observer;

    public int Consumers { get; set; }

    public List<Delivery> Pending { get; } = new();
}
