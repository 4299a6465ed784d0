using OrleansBroker.Silo.Storage.AdoNet.Sqlite;
using OrleansBroker.Silo.Storage.Messages;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// What one test silo keeps its data in, as a broker node does: grain state through its own SQLite provider on the
/// cluster's one database file (the state every silo must see, as PostgreSQL holds it for a real cluster), and
/// persistent messages in a message store of its own (a queue's messages live on its node).
/// </summary>
internal sealed class SiloStorage : IAsyncDisposable
{
    private SiloStorage(SqliteGrainStorage grainStorage, SegmentMessageStore messageStore)
    {
        GrainStorage = grainStorage;
        MessageStore = messageStore;
    }

    public SqliteGrainStorage GrainStorage { get; }

    public SegmentMessageStore MessageStore { get; }

    public static async Task<SiloStorage> OpenAsync(string clusterDatabase, string messageDirectory)
    {
        var grainStorage = new SqliteGrainStorage(clusterDatabase);
        try
        {
            return new SiloStorage(grainStorage, await SegmentMessageStore.OpenAsync(messageDirectory));
        }
        catch
        {
            grainStorage.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await MessageStore.DisposeAsync();
        GrainStorage.Dispose();
    }
}
