using System.Collections.Concurrent;

namespace OrleansBroker.Silo.Storage;

/// <summary>
/// Grain storage in memory, for tests and brokers that keep nothing across restarts. Thread-safe.
/// </summary>
/// <remarks>
/// Unlike the durable providers, which serialize, it keeps the state object itself: a read returns the
/// very object the last write passed in. So a grain that changes its <c>State</c> without writing it
/// still sees the change after it is reactivated, and nothing survives the process. Do not rely on
/// either: code that works here must also work against a provider that stores a copy.
/// </remarks>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, string GrainKey), object> _records = new();

    /// <summary>How many records the storage holds.</summary>
    public int Count => _records.Count;

    public Task<(TState? State, bool Exists)> ReadAsync<TState>(string stateName, string grainKey) where TState : class, new()
    {
        if (!_records.TryGetValue((stateName, grainKey), out var record))
        {
            return Task.FromResult<(TState?, bool)>((null, false));
        }

        if (record is not TState state)
        {
            return Task.FromException<(TState?, bool)>(new InvalidOperationException(
                $"State '{stateName}' of grain '{grainKey}' is a {record.GetType().Name}, not a {typeof(TState).Name}."));
        }

        return Task.FromResult<(TState?, bool)>((state, true));
    }

    public Task WriteAsync<TState>(string stateName, string grainKey, TState state) where TState : class, new()
    {
        ArgumentNullException.ThrowIfNull(state);
        _records[(stateName, grainKey)] = state;
        return Task.CompletedTask;
    }

    public Task ClearAsync(string stateName, string grainKey)
    {
        _records.TryRemove((stateName, grainKey), out _);
        return Task.CompletedTask;
    }
}
