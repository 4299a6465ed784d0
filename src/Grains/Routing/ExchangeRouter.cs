using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// An immutable snapshot of one exchange's bindings, built for fast matching. Safe to call from
/// many threads at once; a change of bindings builds a new router.
/// </summary>
public abstract class ExchangeRouter
{
    /// <summary>Add the destinations the message matches (each at most once) to <paramref name="destinations"/>.</summary>
    public abstract void Route(Message message, List<BindingDestination> destinations);
}
