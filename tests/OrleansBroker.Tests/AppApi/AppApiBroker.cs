using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansBroker.Client;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.AppApi;

/// <summary>
/// A broker started in-process (AMQP on an ephemeral port, the silo's ports free ones) and an Orleans client app
/// connected to its silo's gateway as any app would be (localhost clustering, the broker's cluster and service id).
/// Shared by the app API tests; each test uses names of its own.
/// </summary>
public sealed class AppApiBroker : IAsyncLifetime
{
    /// <summary>Upper bound for anything a test waits for; a healthy broker answers in milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", "appapi-" + Guid.NewGuid().ToString("N"));
    private BrokerHost? _broker;
    private IHost? _clientHost;

    public BrokerHost Broker => _broker ?? throw new InvalidOperationException("The broker is not started.");

    /// <summary>The Orleans client app's connection to the broker's cluster.</summary>
    public IClusterClient Client => _clientHost?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("The client is not started.");

    public async Task InitializeAsync()
    {
        // The co-hosted app's grains (RelayGrain) need a service of theirs in the broker's silo.
        _broker = await BrokerHost.StartAsync(
            new BrokerOptions { AmqpPort = 0, Bind = "127.0.0.1", DataDir = _dataDir },
            configuration: null,
            configureSilo: silo => silo.Services.AddSingleton<RelayedMessages>());
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(_broker.SiloEndpoints.GatewayPort, serviceId: "orleansbroker", clusterId: "orleansbroker"));
        _clientHost = builder.Build();
        await _clientHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_clientHost is not null)
        {
            await _clientHost.StopAsync();
            _clientHost.Dispose();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    /// <summary>A session of the client app with the default virtual host.</summary>
    public Task<BrokerSession> OpenSessionAsync() => BrokerSession.OpenAsync(Client);

    /// <summary>An AMQP connection (RabbitMQ.Client) to the same broker.</summary>
    public Task<IConnection> ConnectAmqpAsync() => new ConnectionFactory
    {
        HostName = "127.0.0.1",
        Port = Broker.AmqpPort,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
    }.CreateConnectionAsync("orleansbroker-appapi-tests");

    /// <summary>
    /// Wait (boundedly) until the queue holds <paramref name="count"/> ready messages: an AMQP publish without confirms
    /// completes when sent, before the broker queued the message.
    /// </summary>
    public static async Task WaitForReadyAsync(BrokerSession session, string queue, uint count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var ready = (await session.InspectQueueAsync(queue)).MessageCount;
        while (ready != count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            ready = (await session.InspectQueueAsync(queue)).MessageCount;
        }

        Assert.Equal(count, ready);
    }

    /// <summary>A name no other test uses.</summary>
    public static string UniqueName(string prefix) => BrokerFixture.UniqueName(prefix);
}

/// <summary>The app API test classes share one broker and client.</summary>
[CollectionDefinition(Name)]
public sealed class AppApiCollection : ICollectionFixture<AppApiBroker>
{
    public const string Name = "AppApi";
}
