using System.Collections.Concurrent;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// The channels of the gateway in this process, by channel id. A queue delivers to a channel found here by calling it
/// directly, inside its own turn, instead of through Orleans' observer messaging: the frames then leave on the queue's
/// thread, saving the two thread hand-offs an observer call costs (measured in docs/benchmarks.md, "On Orleans"), which
/// dominate a lightly loaded broker's latency. Channels elsewhere get the same batches as observer calls.
/// </summary>
public sealed class LocalChannels
{
    private readonly ConcurrentDictionary<string, IConsumerObserver> _channels = new(StringComparer.Ordinal);

    public void Add(string channelId, IConsumerObserver channel) => _channels[channelId] = channel;

    public void Remove(string channelId) => _channels.TryRemove(channelId, out _);

    public bool TryGet(string channelId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IConsumerObserver? channel) =>
        _channels.TryGetValue(channelId, out channel);
}
