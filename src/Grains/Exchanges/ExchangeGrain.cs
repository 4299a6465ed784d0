using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Exchanges;

/// <summary>
/// An exchange: its declaration and the bindings it is the source of, kept durably. Routing does not call it: the
/// virtual host mirrors its bindings and sends every node's routing replica the changes.
/// </summary>
[GrainType("exchange")]
public sealed class ExchangeGrain : Grain, IExchangeGrain
{
    private readonly IPersistentState<ExchangeState> _state;
    private readonly HashSet<Binding> _bindings = new();

    public ExchangeGrain([PersistentState("exchange", GrainStorageNames.Broker)] IPersistentState<ExchangeState> state)
    {
        _state = state;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.Declaration is not null)
        {
            _bindings.UnionWith(_state.State.Bindings);
        }

        return Task.CompletedTask;
    }

    public async ValueTask Create(string vhost, ExchangeDeclaration declaration)
    {
        _state.State = new ExchangeState { VirtualHost = vhost, Declaration = declaration };
        _bindings.Clear();
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

    public ValueTask<Binding[]> GetBindings() => ValueTask.FromResult(_bindings.ToArray());

    public async ValueTask Delete()
    {
        _bindings.Clear();
        await _state.ClearStateAsync();
        _state.State = new ExchangeState();
        DeactivateOnIdle();
    }

    private async ValueTask BindingsChanged()
    {
        _state.State.Bindings = _bindings.ToList();
        await _state.WriteStateAsync();
    }
}
