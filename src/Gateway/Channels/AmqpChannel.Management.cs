namespace OrleansBroker.Gateway.Channels;

/// <summary>What the management API reads of a channel: a copy taken under the channel's lock.</summary>
internal sealed partial class AmqpChannel
{
    public ChannelStatus Status()
    {
        lock (_lock)
        {
            var consumers = new ConsumerStatus[_consumers.Count];
            var i = 0;
            foreach (var consumer in _consumers.Values)
            {
                consumers[i++] = new ConsumerStatus(consumer.ConsumerTag, consumer.QueueName, !consumer.NoAck, consumer.Prefetch);
            }

            return new ChannelStatus(Number, _confirmMode, _transaction is not null, _consumerPrefetch, _channelPrefetch, _unacked.Live,
                _confirmMode ? (long)(_publishSeq - _confirmedSeq) : 0, consumers);
        }
    }
}

/// <summary>A channel at one moment, for listings.</summary>
internal sealed record ChannelStatus(
    ushort Number, bool Confirm, bool Transactional, ushort PrefetchCount, ushort GlobalPrefetchCount, int Unacknowledged, long Unconfirmed,
    ConsumerStatus[] Consumers);

/// <summary>A consumer as its channel knows it.</summary>
internal readonly record struct ConsumerStatus(string ConsumerTag, string Queue, bool AckRequired, ushort PrefetchCount);
