using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Hosting;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Storage;
using OrleansBroker.Silo.Storage.AdoNet.Postgres;
using OrleansBroker.Silo.Storage.AdoNet.Sqlite;
using OrleansBroker.Silo.Storage.Messages;

namespace OrleansBroker.Silo.Hosting;

/// <summary>
/// Where one broker keeps what must survive it: grain state in SQLite (&lt;data-dir&gt;/grains.db), or in PostgreSQL
/// through Orleans' ADO.NET provider when a connection string is configured, and persistent messages in the segment
/// message store (&lt;data-dir&gt;/messages). Opened before the broker listens (PostgreSQL: its schema applied);
/// closed after the grains.
/// </summary>
internal sealed class BrokerStorage : IAsyncDisposable
{
    private readonly SegmentMessageStore _messages;

    // Exactly one of the two holds grain state.
    private readonly SqliteGrainStorage? _sqlite;
    private readonly PostgresGrainStorage? _postgres;

    private BrokerStorage(SqliteGrainStorage? sqlite, PostgresGrainStorage? postgres, SegmentMessageStore messages)
    {
        _sqlite = sqlite;
        _postgres = postgres;
        _messages = messages;
    }

    public IMessageStore MessageStore => _messages;

    public static async Task<BrokerStorage> OpenAsync(BrokerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        PostgresGrainStorage? postgres = null;
        SqliteGrainStorage? sqlite = null;
        // A cluster keeps grain state in its membership database unless told otherwise: SQLite is one node's.
        if ((options.PostgresConnectionString is { Length: > 0 } ? options.PostgresConnectionString : options.Cluster) is { Length: > 0 } connectionString)
        {
            postgres = await PostgresGrainStorage.PrepareAsync(connectionString, cancellationToken);
        }
        else
        {
            sqlite = SqliteGrainStorage.InDataDirectory(dataDir);
        }

        try
        {
            var messages = await SegmentMessageStore.OpenAsync(
                Path.Combine(dataDir, "messages"), null, loggerFactory.CreateLogger("OrleansBroker.MessageStore"), cancellationToken);
            return new BrokerStorage(sqlite, postgres, messages);
        }
        catch
        {
            sqlite?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Registers where grain state goes as Orleans grain storage <paramref name="name"/>: our SQLite provider, or Orleans'
    /// ADO.NET provider on PostgreSQL.
    /// </summary>
    public void RegisterGrainStorage(IServiceCollection services, string name)
    {
        if (_postgres is { } postgres)
        {
            postgres.Register(services, name);
        }
        else if (_sqlite is { } sqlite)
        {
            services.AddGrainStorage(name, (_, _) => new OrleansGrainStorage(sqlite));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _messages.DisposeAsync();
        _sqlite?.Dispose();
    }
}
