using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansBroker.Grains.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// The silo's grain runtime: activation directory, per-activation turn scheduling, storage,
/// timers and deactivation. Single-process stand-in for Orleans' runtime (see DESIGN.md).
/// </summary>
/// <remarks>
/// <para>
/// Each grain type is registered once, before use. <see cref="GetGrain{TGrain}"/> hands out a cached
/// proxy per key and never activates; the first call does: the grain is constructed, every persistent
/// state it created (<see cref="CreatePersistentState{TState}"/>) is read, then
/// <see cref="Grain.OnActivateAsync"/> runs, all before the first turn. If that throws, the call gets the
/// exception, the activation is discarded and the next call tries afresh.
/// </para>
/// <para>
/// An activation deactivates when its grain asks (<see cref="IGrainContext.DeactivateOnIdle"/>) or the
/// runtime is disposed; there is no collection of idle activations on a timer yet.
/// </para>
/// <para>
/// Turns are not reentrant, as in Orleans by default: an activation runs one call at a time, to its end,
/// awaits included. So a cycle of calls — A awaits B, which awaits A, or a grain awaiting a call to
/// itself — deadlocks, and nothing detects it. Break cycles by design (for example with observers that
/// do not call back, or by not awaiting the call back).
/// </para>
/// </remarks>
public sealed class GrainRuntime : IGrainFactory, IAsyncDisposable
{
    private readonly IGrainStorage _storage;
    private readonly ConcurrentDictionary<Type, object> _proxyCaches = new();

    // Also the lock for registration and the start of disposal.
    private readonly List<GrainType> _grainTypes = [];
    private int _disposed;
    private Task? _disposal;

    public GrainRuntime(IGrainStorage storage, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GrainRuntime>();
    }

    internal ILogger Logger { get; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Register a grain type: how to construct an activation and how to wrap a reference in the interface's proxy.</summary>
    public void Register<TInterface, TGrain>(Func<IGrainContext, TGrain> create, Func<GrainReference<TGrain>, TInterface> proxy)
        where TInterface : IGrainWithStringKey
        where TGrain : Grain
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(proxy);
        lock (_grainTypes)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (_proxyCaches.ContainsKey(typeof(TInterface)))
            {
                throw new InvalidOperationException($"A grain is already registered for {typeof(TInterface).Name}.");
            }

            GrainProxyCache<TInterface>? proxies = null;
            var grainType = new GrainType<TGrain>(this, create, key => proxies!.Evict(key));
            proxies = new GrainProxyCache<TInterface>(key => proxy(new GrainReference<TGrain>(grainType, key)));
            _grainTypes.Add(grainType);
            _proxyCaches[typeof(TInterface)] = proxies;
        }
    }

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (!_proxyCaches.TryGetValue(typeof(TGrain), out var proxies))
        {
            throw new InvalidOperationException($"No grain is registered for {typeof(TGrain).Name}.");
        }

        return ((GrainProxyCache<TGrain>)proxies).Get(key);
    }

    /// <summary>
    /// A persistent state for the grain being constructed with <paramref name="context"/>, stored under
    /// (<paramref name="stateName"/>, grain key) in this runtime's storage and read before
    /// <see cref="Grain.OnActivateAsync"/>. Call it from the <c>create</c> function given to
    /// <see cref="Register{TInterface, TGrain}"/>. State names are shared by all grain types: pick one per type.
    /// </summary>
    public IPersistentState<TState> CreatePersistentState<TState>(IGrainContext context, string stateName) where TState : class, new()
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        if (context is not IActivationContext activation || activation.Runtime != this)
        {
            throw new ArgumentException("The context is not an activation of this runtime.", nameof(context));
        }

        var state = new PersistentState<TState>(_storage, stateName, context.GrainKey);
        activation.AddState(state);
        return state;
    }

    /// <summary>
    /// Deactivate every activation after its current turn (OnDeactivateAsync runs, timers stop); calls
    /// still queued then fail with <see cref="ObjectDisposedException"/>, as do all later calls. Completes
    /// once every activation is gone; a turn stuck in a call cycle keeps it from completing.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_grainTypes)
        {
            if (_disposal is null)
            {
                Volatile.Write(ref _disposed, 1);
                _disposal = DeactivateAllAsync();
            }

            return new ValueTask(_disposal);
        }
    }

    private async Task DeactivateAllAsync()
    {
        // Loop: an activation created by a call racing with disposal may appear after a pass.
        var deactivations = new List<Task>();
        while (true)
        {
            foreach (var grainType in _grainTypes)
            {
                grainType.RequestDeactivationOfAll(deactivations);
            }

            if (deactivations.Count == 0)
            {
                return;
            }

            await Task.WhenAll(deactivations).ConfigureAwait(false);
            deactivations.Clear();
        }
    }
}
