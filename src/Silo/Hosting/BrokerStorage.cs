using Microsoft.Extensions.Logging;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Silo.Storage;
using OrleansBroker.Silo.Storage.AdoNet.Postgres;
using OrleansBroker.Silo.Storage.AdoNet.Sqlite;
using OrleansBroker.Silo.Storage.Messages;

namespace OrleansBroker.Silo.Hosting;

/// <summary>
/// Where one broker keeps what must survive it: grain state in SQLite (&lt;data-dir&gt;/grains.db) or
/// PostgreSQL when a connection string is configured, and persistent messages in the segment
/// message store (&lt;data-dir&gt;/messages). Opened before the broker listens; closed after the grains.
/// </summary>
internal sealed class BrokerStorage : IAsyncDisposable
{
    private readonly SegmentMessageStore _messages;

    private BrokerStorage(IGrainStorage grainStorage, SegmentMessageStore messages)
    {
        GrainStorage = grainStorage;
        _messages = messages;
    }

    public IGrainStorage GrainStorage { get; }

    public IMessageStore MessageStore => _messages;

    public static async Task<BrokerStorage> OpenAsync(BrokerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        IGrainStorage grainStorage = options.PostgresConnectionString is { Length: > 0 } postgres
            ? new PostgresGrainStorage(postgres)
            : SqliteGrainStorage.InDataDirectory(dataDir);
        try
        {
            var messages = await SegmentMessageStore.OpenAsync(
                Path.Combine(dataDir, "messages"), null, loggerFactory.CreateLogger("OrleansBroker.MessageStore"), cancellationToken);
            return new BrokerStorage(grainStorage, messages);
        }
        catch
        {
            (grainStorage as IDisposable)?.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _messages.DisposeAsync();
        switch (GrainStorage)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
