using Orleans;
using Orleans.Runtime;

namespace OrleansBroker.Silo.Storage;

/// <summary>
/// Serves Orleans' grain state through one of the broker's own providers (SQLite, PostgreSQL): a record is named by
/// state name and the grain's key, exactly as before the grains ran on Orleans, so existing data directories open
/// as they are. One writer per grain (its activation), so no ETag checks.
/// </summary>
internal sealed class OrleansGrainStorage(IGrainStorage storage) : Orleans.Storage.IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (state, exists) = await storage.ReadAsync<T>(stateName, grainId.Key.ToString()!);
        grainState.RecordExists = exists;
        if (exists && state is not null)
        {
            grainState.State = state;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await storage.WriteAsync(stateName, grainId.Key.ToString()!, grainState.State);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await storage.ClearAsync(stateName, grainId.Key.ToString()!);
        grainState.RecordExists = false;
    }
}
