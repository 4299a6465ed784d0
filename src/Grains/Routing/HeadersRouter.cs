using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Headers exchange: the routing key is ignored; a destination matches when any of its bindings'
/// argument patterns matches the message's headers. Grouping patterns by destination means each
/// destination is tested, and added, at most once.
/// </summary>
internal sealed class HeadersRouter : ExchangeRouter
{
    private readonly BindingDestination[] _destinations;
    private readonly HeadersBindingPattern[][] _patterns;

    public HeadersRouter(IReadOnlyCollection<Binding> bindings)
    {
        var byDestination = new Dictionary<BindingDestination, List<HeadersBindingPattern>>();
        var destinations = new List<BindingDestination>();
        foreach (var binding in bindings)
        {
            if (!byDestination.TryGetValue(binding.Destination, out var patterns))
            {
                patterns = [];
                byDestination.Add(binding.Destination, patterns);
                destinations.Add(binding.Destination);
            }

            patterns.Add(new HeadersBindingPattern(binding.Arguments));
        }

        _destinations = destinations.ToArray();
        _patterns = new HeadersBindingPattern[_destinations.Length][];
        for (var i = 0; i < _destinations.Length; i++)
        {
            _patterns[i] = byDestination[_destinations[i]].ToArray();
        }
    }

    public override void Route(Message message, List<BindingDestination> destinations)
    {
        if (_destinations.Length == 0)
        {
            return; // Nothing to match: leave the headers undecoded.
        }

        var headers = message.Headers;
        for (var i = 0; i < _destinations.Length; i++)
        {
            foreach (var pattern in _patterns[i])
            {
                if (pattern.Matches(headers))
                {
                    destinations.Add(_destinations[i]);
                    break;
                }
            }
        }
    }
}
