using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Grains.Exchanges;

/// <summary>
/// One exchange (key: <see cref="GrainKeys.Exchange"/>): owns its declaration and the bindings
/// whose source it is, and publishes an immutable router snapshot to the vhost's routing table
/// whenever they change, so publishes route without calling the grain.
/// </summary>
public interface IExchangeGrain : IGrainWithStringKey
{
    ValueTask Create(string vhost, ExchangeDeclaration declaration);

    /// <summary>True when the binding is new.</summary>
    ValueTask<bool> AddBinding(Binding binding);

    /// <summary>Remove one binding; returns whether it existed and how many bindings remain.</summary>
    ValueTask<(bool Removed, int Remaining)> RemoveBinding(Binding binding);

    /// <summary>Remove every binding to a destination that is going away; returns how many remain.</summary>
    ValueTask<int> RemoveBindingsTo(BindingDestination destination);

    ValueTask<int> GetBindingCount();

    /// <summary>The bindings whose source this exchange is (the vhost rebuilds its reverse index from them).</summary>
    ValueTask<Binding[]> GetBindings();

    /// <summary>Remove the exchange and its router; the grain deactivates.</summary>
    ValueTask Delete();
}
