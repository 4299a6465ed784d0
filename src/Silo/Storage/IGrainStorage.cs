namespace OrleansBroker.Silo.Storage;

/// <summary>
/// A grain storage provider, as Orleans' IGrainStorage: reads, writes and clears the state record of
/// one grain, named by state name and grain key. The state object is serialized by the provider.
/// </summary>
public interface IGrainStorage
{
    Task<(TState? State, bool Exists)> ReadAsync<TState>(string stateName, string grainKey);

    Task WriteAsync<TState>(string stateName, string grainKey, TState state);

    Task ClearAsync(string stateName, string grainKey);
}
