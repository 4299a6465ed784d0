using OrleansBroker.Grains.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// A grain's persistent state, kept in an <see cref="IGrainStorage"/> under (state name, grain key).
/// Made by <see cref="GrainRuntime.CreatePersistentState{TState}"/> while the grain is constructed, so
/// the runtime reads it before <c>OnActivateAsync</c>. Tests of a single grain may construct one
/// directly over a <see cref="MemoryGrainStorage"/>. It belongs to one activation and is used inside
/// its turns, so it is not thread-safe.
/// </summary>
public sealed class PersistentState<TState> : IPersistentState<TState>, IActivationState where TState : class, new()
{
    private readonly IGrainStorage _storage;
    private TState _state = new();

    public PersistentState(IGrainStorage storage, string stateName, string grainKey)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        ArgumentNullException.ThrowIfNull(grainKey);
        _storage = storage;
        StateName = stateName;
        GrainKey = grainKey;
    }

    public string StateName { get; }

    public string GrainKey { get; }

    public TState State
    {
        get => _state;
        set => _state = value ?? throw new ArgumentNullException(nameof(value));
    }

    public bool RecordExists { get; private set; }

    public async Task ReadStateAsync()
    {
        var (state, exists) = await _storage.ReadAsync<TState>(StateName, GrainKey).ConfigureAwait(false);
        _state = state ?? new TState();
        RecordExists = exists;
    }

    public async Task WriteStateAsync()
    {
        await _storage.WriteAsync(StateName, GrainKey, _state).ConfigureAwait(false);
        RecordExists = true;
    }

    public async Task ClearStateAsync()
    {
        await _storage.ClearAsync(StateName, GrainKey).ConfigureAwait(false);
        _state = new TState();
        RecordExists = false;
    }
}
