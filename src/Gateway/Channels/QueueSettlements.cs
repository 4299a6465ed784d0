using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// What one read produced for one queue's deliveries on this channel: settlements, and credit for its consumers,
/// handed over in one grain call when the read ends. The lists are reused read after read.
/// </summary>
internal sealed class QueueSettlements(IQueueGrain queue)
{
    public IQueueGrain Queue { get; } = queue;

    public List<Settlement> Settlements { get; } = new();

    public List<CreditGrant> Credits { get; } = new();

    public bool IsEmpty => Settlements.Count == 0 && Credits.Count == 0;

    public SettlementBatch TakeBatch(string channelId)
    {
        var batch = new SettlementBatch(channelId, Settlements.ToArray(), Credits.ToArray());
        Settlements.Clear();
        Credits.Clear();
        return batch;
    }

    public void Clear()
    {
        Settlements.Clear();
        Credits.Clear();
    }
}
