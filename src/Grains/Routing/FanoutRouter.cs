using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>Fanout exchange: every bound destination, whatever the routing key.</summary>
internal sealed class FanoutRouter : ExchangeRouter
{
    private readonly BindingDestination[] _destinations;

    public FanoutRouter(IReadOnlyCollection<Binding> bindings)
    {
        var unique = new List<BindingDestination>(bindings.Count);
        var seen = new HashSet<BindingDestination>();
        foreach (var binding in bindings)
        {
            if (seen.Add(binding.Destination))
            {
                unique.Add(binding.Destination);
            }
        }

        _destinations = unique.ToArray();
    }

    public override void Route(Message message, List<BindingDestination> destinations) =>
        destinations.AddRange(_destinations.AsSpan());
}
