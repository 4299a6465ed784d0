using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Reusable output of <see cref="VirtualHostRoutingTable.Route"/>: one per channel, cleared per publish.
/// Besides the result it holds the scratch state routing needs (destinations of the exchange being
/// routed, exchanges waiting to be routed, what was already reached), so routing allocates nothing once
/// these have grown to size. Not thread-safe: one publish at a time.
/// </summary>
public sealed class RoutingResult
{
    private readonly HashSet<string> _reachedQueues = new(StringComparer.Ordinal);
    private readonly HashSet<string> _visitedExchanges = new(StringComparer.Ordinal);
    private bool _deduplicatingQueues;
    private bool _trackingExchanges;

    /// <summary>Names of the queues the message goes to, each once, in the order they were reached.</summary>
    public List<string> Queues { get; } = new();

    /// <summary>Scratch: what the router of the exchange being routed returned.</summary>
    internal List<BindingDestination> Destinations { get; } = new();

    /// <summary>Scratch: exchanges reached and still to be routed, in order.</summary>
    internal List<ExchangeSnapshot> PendingExchanges { get; } = new();

    public void Clear()
    {
        Queues.Clear();
        Destinations.Clear();
        PendingExchanges.Clear();
        if (_deduplicatingQueues)
        {
            _reachedQueues.Clear();
            _deduplicatingQueues = false;
        }

        if (_trackingExchanges)
        {
            _visitedExchanges.Clear();
            _trackingExchanges = false;
        }
    }

    /// <summary>
    /// Adds a queue unless already reached. One router never repeats a destination, so the set is only
    /// filled once a second exchange contributes (<see cref="StartDeduplicatingQueues"/>).
    /// </summary>
    internal void AddQueue(string name)
    {
        if (!_deduplicatingQueues || _reachedQueues.Add(name))
        {
            Queues.Add(name);
        }
    }

    internal void StartDeduplicatingQueues()
    {
        if (!_deduplicatingQueues)
        {
            _deduplicatingQueues = true;
            foreach (var queue in Queues)
            {
                _reachedQueues.Add(queue);
            }
        }
    }

    /// <summary>
    /// True the first time an exchange is reached in this publish. The exchange published to counts as
    /// reached; it is recorded only once another exchange comes into play.
    /// </summary>
    internal bool TryVisitExchange(string name, string publishedTo)
    {
        if (!_trackingExchanges)
        {
            _trackingExchanges = true;
            _visitedExchanges.Add(publishedTo);
        }

        return _visitedExchanges.Add(name);
    }
}
