using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// The silo's grain runtime: activation directory, per-activation turn scheduling, storage,
/// timers and idle collection. Single-process stand-in for Orleans' runtime (see DESIGN.md).
/// </summary>
public sealed class GrainRuntime : IGrainFactory, IAsyncDisposable
{
    /// <summary>Register a grain type: how to construct an activation and how to wrap a reference in the interface's proxy.</summary>
    public void Register<TInterface, TGrain>(Func<IGrainContext, TGrain> create, Func<GrainReference<TGrain>, TInterface> proxy)
        where TInterface : IGrainWithStringKey
        where TGrain : Grain => throw new NotImplementedException();

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
