using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Runtime;

/// <summary>A memory storage that counts reads, so tests can tell that an activation read its state.</summary>
internal sealed class CountingGrainStorage : IGrainStorage
{
    private readonly MemoryGrainStorage _inner = new();
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Task<(TState? State, bool Exists)> ReadAsync<TState>(string stateName, string grainKey) where TState : class, new()
    {
        Interlocked.Increment(ref _reads);
        return _inner.ReadAsync<TState>(stateName, grainKey);
    }

    public Task WriteAsync<TState>(string stateName, string grainKey, TState state) where TState : class, new() =>
        _inner.WriteAsync(stateName, grainKey, state);

    public Task ClearAsync(string stateName, string grainKey) => _inner.ClearAsync(stateName, grainKey);
}
