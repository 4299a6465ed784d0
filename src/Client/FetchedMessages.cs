using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Client;

/// <summary>
/// The messages a session fetched with <see cref="BrokerSession.GetAsync"/> and has not settled yet, as an AMQP
/// channel keeps its basic.get deliveries: each settlement goes to its queue, and what is left when the session ends
/// goes back to its queue, marked redelivered.
/// </summary>
internal sealed class FetchedMessages(string channelId) : IDeliverySettler
{
    private readonly object _gate = new();

    /// <summary>The channel id the session fetches and settles under.</summary>
    public string ChannelId => channelId;

    private readonly Dictionary<DeliveredMessage, IQueueGrain> _unsettled = new(ReferenceEqualityComparer.Instance);
    private bool _closed;

    /// <summary>A fetched message; one fetched without automatic acknowledgement is kept until settled.</summary>
    public DeliveredMessage Add(IQueueGrain queue, string queueName, in Delivery delivery, bool autoAck)
    {
        if (autoAck)
        {
            return new DeliveredMessage(null, queueName, delivery);
        }

        var message = new DeliveredMessage(this, queueName, delivery);
        lock (_gate)
        {
            _unsettled[message] = queue;
        }

        return message;
    }

    public Task SettleAsync(DeliveredMessage message, SettlementKind kind)
    {
        IQueueGrain? queue;
        lock (_gate)
        {
            if (!_unsettled.Remove(message, out queue))
            {
                throw new InvalidOperationException(_closed
                    ? "the session that fetched the message was disposed: the message went back to its queue"
                    : "the message was settled already");
            }
        }

        return queue.Settle(new SettlementBatch(channelId, [new Settlement(message.QueueMessageId, kind)], [])).AsTask();
    }

    /// <summary>The session ends: every unsettled message goes back to its queue. Queues that are gone are skipped.</summary>
    public async Task RequeueAllAsync()
    {
        KeyValuePair<DeliveredMessage, IQueueGrain>[] left;
        lock (_gate)
        {
            _closed = true;
            left = _unsettled.ToArray();
            _unsettled.Clear();
        }

        foreach (var group in left.GroupBy(m => m.Value))
        {
            var settlements = group.Select(m => new Settlement(m.Key.QueueMessageId, SettlementKind.Requeue)).ToArray();
            await group.Key.Settle(new SettlementBatch(channelId, settlements, [])).AsTask().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
