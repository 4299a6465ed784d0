using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Silo.Runtime;

namespace OrleansBroker.Silo.Grains;

/// <summary>Turns IExchangeGrain calls into turns of the exchange's activation.</summary>
internal sealed class ExchangeGrainProxy(GrainReference<ExchangeGrain> reference) : IExchangeGrain
{
    public ValueTask Create(string vhost, ExchangeDeclaration declaration) =>
        reference.InvokeAsync(static (g, a) => g.Create(a.vhost, a.declaration), (vhost, declaration));

    public ValueTask<bool> AddBinding(Binding binding) => reference.InvokeAsync(static (g, b) => g.AddBinding(b), binding);

    public ValueTask<(bool Removed, int Remaining)> RemoveBinding(Binding binding) =>
        reference.InvokeAsync(static (g, b) => g.RemoveBinding(b), binding);

    public ValueTask<int> RemoveBindingsTo(BindingDestination destination) =>
        reference.InvokeAsync(static (g, d) => g.RemoveBindingsTo(d), destination);

    public ValueTask<int> GetBindingCount() => reference.InvokeAsync(static (g, _) => g.GetBindingCount(), 0);

    public ValueTask<Binding[]> GetBindings() => reference.InvokeAsync(static (g, _) => g.GetBindings(), 0);

    public ValueTask Delete() => reference.InvokeAsync(static (g, _) => g.Delete(), 0);
}
