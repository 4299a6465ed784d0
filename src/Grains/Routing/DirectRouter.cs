using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>Direct exchange: a binding matches when its key equals the routing key exactly.</summary>
internal sealed class DirectRouter : ExchangeRouter
{
    private readonly Dictionary<string, BindingDestination[]> _destinationsByKey;

    public DirectRouter(IReadOnlyCollection<Binding> bindings)
    {
        var byKey = new Dictionary<string, List<BindingDestination>>(StringComparer.Ordinal);
        foreach (var binding in bindings)
        {
            if (!byKey.TryGetValue(binding.RoutingKey, out var destinations))
            {
                destinations = [];
                byKey.Add(binding.RoutingKey, destinations);
            }

            // Bindings differing only in arguments lead to the same place; list it once.
            if (!destinations.Contains(binding.Destination))
            {
                destinations.Add(binding.Destination);
            }
        }

        _destinationsByKey = new Dictionary<string, BindingDestination[]>(byKey.Count, StringComparer.Ordinal);
        foreach (var (key, destinations) in byKey)
        {
            _destinationsByKey.Add(key, destinations.ToArray());
        }
    }

    public override void Route(Message message, List<BindingDestination> destinations)
    {
        if (_destinationsByKey.TryGetValue(message.RoutingKey, out var matched))
        {
            destinations.AddRange(matched.AsSpan());
        }
    }
}
