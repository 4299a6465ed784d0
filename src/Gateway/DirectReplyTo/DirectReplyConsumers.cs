using System.Collections.Concurrent;
using OrleansBroker.Grains.DirectReplyTo;

namespace OrleansBroker.Gateway.DirectReplyTo;

/// <summary>
/// The direct reply-to consumers of this gateway's channels, by key: a reply published on this node to a channel of
/// this node is handed to it directly, with no Orleans message; others go through Orleans to the observer the reply
/// name names.
/// </summary>
public sealed class DirectReplyConsumers
{
    private readonly ConcurrentDictionary<string, IDirectReplyObserver> _channels = new(StringComparer.Ordinal);

    public void Add(string key, IDirectReplyObserver channel) => _channels[key] = channel;

    public void Remove(string key) => _channels.TryRemove(key, out _);

    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IDirectReplyObserver? channel) =>
        _channels.TryGetValue(key, out channel);
}
