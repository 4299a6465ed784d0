using System.Collections.Concurrent;
using OrleansBroker.Grains.Runtime;
using OrleansBroker.Silo.Runtime;

namespace OrleansBroker.Tests.Runtime;

internal sealed class LifecycleState
{
    public int Activations { get; set; }

    public int Value { get; set; }

    public long Count { get; set; }
}

/// <summary>What one activation saw: which activation answered, and what its state held.</summary>
internal sealed record LifecycleReport(int ActivationId, int Activations, int Value, bool RecordExistedOnActivate, int ValueSeenOnActivate, bool ActivatedBeforeFirstTurn);

internal interface ILifecycleGrain : IGrainWithStringKey
{
    ValueTask<LifecycleReport> Describe();

    ValueTask SetValue(int value);

    ValueTask Deactivate();

    /// <summary>Hold the turn until <paramref name="gate"/> completes, then optionally ask to deactivate.</summary>
    ValueTask Hold(Task gate, bool deactivate);

    /// <summary>Record (activation, caller, sequence) in the probe; optionally ask to deactivate.</summary>
    ValueTask Append(int caller, int sequence, bool deactivate);

    /// <summary>Add one to the persistent count and write it; optionally ask to deactivate.</summary>
    ValueTask<long> AddPersistent(bool yield, bool deactivate);

    /// <summary>Try to create a persistent state in a turn (which the runtime refuses).</summary>
    ValueTask CreateStateInTurn();
}

/// <summary>Shared by a test and its lifecycle grains: switches that shape activation, and what happened.</summary>
internal sealed class LifecycleProbe
{
    private int _failures;
    private int _nextActivationId;
    private int _live;
    private int _maxLive;

    public TurnProbe Turns { get; } = new();

    public bool YieldOnActivate { get; set; }

    public bool YieldOnDeactivate { get; set; }

    public Task? ActivateGate { get; set; }

    public Task? DeactivateGate { get; set; }

    public int Constructed => Volatile.Read(ref _nextActivationId);

    /// <summary>The most activations of one key alive at once; more than one is a bug.</summary>
    public int MaxLive => Volatile.Read(ref _maxLive);

    public ConcurrentQueue<int> Deactivated { get; } = new();

    public ConcurrentQueue<(int ActivationId, int Caller, int Sequence)> Log { get; } = new();

    /// <summary>Make the next <paramref name="count"/> activations throw from OnActivateAsync.</summary>
    public void FailActivations(int count) => Volatile.Write(ref _failures, count);

    public int NextActivationId() => Interlocked.Increment(ref _nextActivationId);

    public bool TakeFailure() => Interlocked.Decrement(ref _failures) >= 0;

    public void Up()
    {
        var live = Interlocked.Increment(ref _live);
        int max;
        while (live > (max = Volatile.Read(ref _maxLive)) && Interlocked.CompareExchange(ref _maxLive, live, max) != max)
        {
        }
    }

    public void Down() => Interlocked.Decrement(ref _live);
}

internal sealed class LifecycleGrain : Grain, ILifecycleGrain
{
    private readonly IPersistentState<LifecycleState> _state;
    private readonly LifecycleProbe _probe;
    private readonly Func<IGrainContext, IPersistentState<LifecycleState>> _createState;
    private readonly int _activationId;
    private bool _activated;
    private bool _recordExistedOnActivate;
    private int _valueSeenOnActivate;

    public LifecycleGrain(IGrainContext context, IPersistentState<LifecycleState> state, LifecycleProbe probe, Func<IGrainContext, IPersistentState<LifecycleState>> createState)
        : base(context)
    {
        _state = state;
        _probe = probe;
        _createState = createState;
        _activationId = probe.NextActivationId();
    }

    public static void Register(GrainRuntime runtime, LifecycleProbe probe)
    {
        IPersistentState<LifecycleState> CreateState(IGrainContext context) => runtime.CreatePersistentState<LifecycleState>(context, "lifecycle");
        runtime.Register<ILifecycleGrain, LifecycleGrain>(
            context => new LifecycleGrain(context, CreateState(context), probe, CreateState),
            grain => new LifecycleGrainProxy(grain));
    }

    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        _probe.Up();
        try
        {
            if (_probe.ActivateGate is { } gate)
            {
                await gate;
            }

            if (_probe.YieldOnActivate)
            {
                await Task.Yield();
            }

            if (_probe.TakeFailure())
            {
                throw new InvalidOperationException($"activation {_activationId} failed on purpose");
            }
        }
        catch
        {
            _probe.Down();
            throw;
        }

        _recordExistedOnActivate = _state.RecordExists;
        _valueSeenOnActivate = _state.State.Value;
        _state.State.Activations++;
        await _state.WriteStateAsync();
        _activated = true;
    }

    public override async ValueTask OnDeactivateAsync(CancellationToken cancellationToken)
    {
        if (_probe.DeactivateGate is { } gate)
        {
            await gate;
        }

        if (_probe.YieldOnDeactivate)
        {
            await Task.Yield();
        }

        _probe.Down();
        _probe.Deactivated.Enqueue(_activationId);
    }

    public ValueTask<LifecycleReport> Describe() => new(new LifecycleReport(
        _activationId, _state.State.Activations, _state.State.Value, _recordExistedOnActivate, _valueSeenOnActivate, _activated));

    public async ValueTask SetValue(int value)
    {
        _state.State.Value = value;
        await _state.WriteStateAsync();
    }

    public ValueTask Deactivate()
    {
        DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    public async ValueTask Hold(Task gate, bool deactivate)
    {
        _probe.Turns.Enter();
        try
        {
            await gate;
            if (deactivate)
            {
                DeactivateOnIdle();
            }
        }
        finally
        {
            _probe.Turns.Exit();
        }
    }

    public ValueTask Append(int caller, int sequence, bool deactivate)
    {
        _probe.Log.Enqueue((_activationId, caller, sequence));
        if (deactivate)
        {
            DeactivateOnIdle();
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<long> AddPersistent(bool yield, bool deactivate)
    {
        _probe.Turns.Enter();
        try
        {
            var count = _state.State.Count;
            if (yield)
            {
                await Task.Yield();
            }

            _state.State.Count = count + 1;
            await _state.WriteStateAsync();
            if (deactivate)
            {
                DeactivateOnIdle();
            }

            return _state.State.Count;
        }
        finally
        {
            _probe.Turns.Exit();
        }
    }

    public ValueTask CreateStateInTurn()
    {
        _createState(Context);
        return ValueTask.CompletedTask;
    }
}

internal sealed class LifecycleGrainProxy(GrainReference<LifecycleGrain> grain) : ILifecycleGrain
{
    public ValueTask<LifecycleReport> Describe() => grain.InvokeAsync(static (g, _) => g.Describe(), 0);

    public ValueTask SetValue(int value) => grain.InvokeAsync(static (g, v) => g.SetValue(v), value);

    public ValueTask Deactivate() => grain.InvokeAsync(static (g, _) => g.Deactivate(), 0);

    public ValueTask Hold(Task gate, bool deactivate) =>
        grain.InvokeAsync(static (g, a) => g.Hold(a.gate, a.deactivate), (gate, deactivate));

    public ValueTask Append(int caller, int sequence, bool deactivate) =>
        grain.InvokeAsync(static (g, a) => g.Append(a.caller, a.sequence, a.deactivate), (caller, sequence, deactivate));

    public ValueTask<long> AddPersistent(bool yield, bool deactivate) =>
        grain.InvokeAsync(static (g, a) => g.AddPersistent(a.yield, a.deactivate), (yield, deactivate));

    public ValueTask CreateStateInTurn() => grain.InvokeAsync(static (g, _) => g.CreateStateInTurn(), 0);
}
