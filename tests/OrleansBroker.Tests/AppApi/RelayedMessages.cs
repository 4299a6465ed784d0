using System.Collections.Concurrent;

namespace OrleansBroker.Tests.AppApi;

/// <summary>
/// A service of the co-hosted app, registered in the broker's silo through BrokerHost's silo hook: what its
/// <see cref="RelayGrain"/>s relayed, by body.
/// </summary>
public sealed class RelayedMessages
{
    private readonly ConcurrentQueue<string> _bodies = new();

    public IReadOnlyCollection<string> Bodies => _bodies.ToArray();

    public void Add(string body) => _bodies.Enqueue(body);
}
