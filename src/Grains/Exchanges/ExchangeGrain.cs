using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.Exchanges;

/// <summary>
/// An exchange: its declaration and the bindings it is the source of. Every change builds a new
/// immutable router and publishes it to the vhost's routing table, which publishers read directly.
/// </summary>
[GrainType("exchange"), KeepAlive]
public sealed class ExchangeGrain : Grain, IExchangeGrain
{
    private readonly IPersistentState<ExchangeState> _state;
    private readonly RoutingTables _routingTables;
    private readonly HashSet<Binding> _bindings = new();

    public ExchangeGrain([PersistentState("exchange", GrainStorageNames.Broker)] IPersistentState<ExchangeState> state, RoutingTables routingTables)
    {
        _state = state;
        _routingTables = routingTables;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.Declaration is not null)
        {
            _bindings.UnionWith(_state.State.Bindings);
            PublishRouter();
        }

        return Task.CompletedTask;
    }

    public async ValueTask Create(string vhost, ExchangeDeclaration declaration)
    {
        _state.State = new ExchangeState { VirtualHost = vhost, Declaration = declaration };
        _bindings.Clear();
        PublishRouter();
        await _state.WriteStateAsync();
    }

    public async ValueTask<bool> AddBinding(Binding binding)
    {
        if (!_bindings.Add(binding))
        {
            return false;
        }

        await BindingsChanged();
        return true;
    }

    public async ValueTask<(bool Removed, int Remaining)> RemoveBinding(Binding binding)
    {
        if (!_bindings.Remove(binding))
        {
            return (false, _bindings.Count);
        }

        await BindingsChanged();
        return (true, _bindings.Count);
    }

    public async ValueTask<int> RemoveBindingsTo(BindingDestination destination)
    {
        if (_bindings.RemoveWhere(b => b.Destination == destination) > 0)
        {
            await BindingsChanged();
        }

        return _bindings.Count;
    }

    public ValueTask<int> GetBindingCount() => ValueTask.FromResult(_bindings.Count);

    public ValueTask<Binding[]> GetBindings() => ValueTask.FromResult(_bindings.ToArray());

    public async ValueTask Delete()
    {
        if (_state.State is { Declaration: { } declaration, VirtualHost: { } vhost })
        {
            _routingTables.For(vhost).RemoveExchange(declaration.Name);
        }

        _bindings.Clear();
        await _state.ClearStateAsync();
        _state.State = new ExchangeState();
        DeactivateOnIdle();
    }

    private async ValueTask BindingsChanged()
    {
        PublishRouter();
        _state.State.Bindings = _bindings.ToList();
        await _state.WriteStateAsync();
    }

    private void PublishRouter()
    {
        if (_state.State is { Declaration: { } declaration, VirtualHost: { } vhost })
        {
            _routingTables.For(vhost).SetExchange(declaration, ExchangeTypes.CreateRouter(declaration.Type, _bindings));
        }
    }
}
