using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Exchanges;

/// <summary>
/// One exchange (key: <see cref="GrainKeys.Exchange"/>): keeps its declaration and the bindings whose source it is.
/// Publishes never call it: they route against each node's copy of the virtual host's routing.
/// </summary>
[Alias("ob.IExchangeGrain")]
public interface IExchangeGrain : IGrainWithStringKey
{
    [Alias("Create")]
    ValueTask Create(string vhost, ExchangeDeclaration declaration);

    /// <summary>True when the binding is new.</summary>
    [Alias("AddBinding")]
    ValueTask<bool> AddBinding(Binding binding);

    /// <summary>Remove one binding; returns whether it existed and how many bindings remain.</summary>
    [Alias("RemoveBinding")]
    ValueTask<(bool Removed, int Remaining)> RemoveBinding(Binding binding);

    /// <summary>Remove every binding to a destination that is going away; returns how many remain.</summary>
    [Alias("RemoveBindingsTo")]
    ValueTask<int> RemoveBindingsTo(BindingDestination destination);

    /// <summary>The bindings whose source this exchange is (the vhost rebuilds its reverse index from them).</summary>
    [Alias("GetBindings")]
    ValueTask<Binding[]> GetBindings();

    /// <summary>Remove the exchange and its bindings; the grain deactivates.</summary>
    [Alias("Delete")]
    ValueTask Delete();
}
