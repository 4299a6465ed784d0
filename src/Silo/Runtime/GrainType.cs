using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>A registered grain type, as the runtime sees it when it shuts down.</summary>
internal abstract class GrainType
{
    protected GrainType(GrainRuntime runtime)
    {
        Runtime = runtime;
    }

    public GrainRuntime Runtime { get; }

    /// <summary>Ask every activation to deactivate; adds the tasks that complete once each has.</summary>
    public abstract void RequestDeactivationOfAll(List<Task> deactivations);
}

/// <summary>
/// One registered grain type and its activation directory: at most one activation per key at a time.
/// An activation enters on first call and leaves only by deactivating, when it is replaced by the
/// successor that takes its queued calls, or removed when it had none.
/// </summary>
internal sealed class GrainType<TGrain> : GrainType where TGrain : Grain
{
    private readonly Func<IGrainContext, TGrain> _create;
    private readonly Action<string> _onRemoved;
    private readonly ConcurrentDictionary<string, Activation<TGrain>> _activations = new();

    public GrainType(GrainRuntime runtime, Func<IGrainContext, TGrain> create, Action<string> onRemoved)
        : base(runtime)
    {
        _create = create;
        _onRemoved = onRemoved;
    }

    public TGrain Create(IGrainContext context) => _create(context);

    /// <summary>The key's current activation, created (not yet activated) when there is none.</summary>
    public Activation<TGrain> GetOrCreateActivation(string key)
    {
        ObjectDisposedException.ThrowIf(Runtime.IsDisposed, Runtime);

        // A racing creation may build an activation that loses; it was never claimed, so it is just garbage.
        return _activations.GetOrAdd(key, static (key, type) => new Activation<TGrain>(type, key), this);
    }

    /// <summary>A deactivated activation leaves: its successor takes its place, or the key is freed.</summary>
    public void Replace(Activation<TGrain> deactivated, Activation<TGrain>? successor)
    {
        if (successor is null)
        {
            var removed = _activations.TryRemove(KeyValuePair.Create(deactivated.GrainKey, deactivated));
            Debug.Assert(removed, "A deactivating activation is the one in the directory.");
            _onRemoved(deactivated.GrainKey);
        }
        else
        {
            var replaced = _activations.TryUpdate(deactivated.GrainKey, successor, deactivated);
            Debug.Assert(replaced, "A deactivating activation is the one in the directory.");
        }
    }

    /// <summary>Send a call that landed on a deactivated activation to the key's current one.</summary>
    public void Route(string key, ActivationWorkItem<TGrain> call)
    {
        Activation<TGrain> activation;
        try
        {
            activation = GetOrCreateActivation(key);
        }
        catch (ObjectDisposedException exception)
        {
            call.Fail(exception);
            return;
        }

        // Not inline: the caller holds the forwarding lock of the old activation.
        activation.Post(call, runInline: false);
    }

    public override void RequestDeactivationOfAll(List<Task> deactivations)
    {
        foreach (var activation in _activations.Values)
        {
            deactivations.Add(activation.RequestDeactivation());
        }
    }
}
