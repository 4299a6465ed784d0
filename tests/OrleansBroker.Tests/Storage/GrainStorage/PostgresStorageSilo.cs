using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using OrleansBroker.Grains;
using OrleansBroker.Silo.Storage.AdoNet.Postgres;
using IOrleansGrainStorage = Orleans.Storage.IGrainStorage;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// An Orleans silo with nothing but the broker's PostgreSQL grain storage, registered as the broker registers it: for
/// tests of the provider with our queries and format, without AMQP in the way.
/// </summary>
internal sealed class PostgresStorageSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private PostgresStorageSilo(IHost host) => _host = host;

    /// <summary>Orleans' grain storage named "broker", as the grains see it.</summary>
    public IOrleansGrainStorage Storage => _host.Services.GetRequiredKeyedService<IOrleansGrainStorage>(GrainStorageNames.Broker);

    public static async Task<PostgresStorageSilo> StartAsync(string connectionString)
    {
        var postgres = await PostgresGrainStorage.PrepareAsync(connectionString, CancellationToken.None);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort());
            postgres.Register(silo.Services, GrainStorageNames.Broker);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new PostgresStorageSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
