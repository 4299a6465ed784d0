using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Infrastructure;

/// <summary>
/// A broker for one test class: our broker in-process on an ephemeral 127.0.0.1 port, stopped with
/// the class. When ORLEANSBROKER_TEST_AMQP_URI is set (amqp://guest:guest@127.0.0.1:5673/), the tests
/// target that broker instead: that is how we check a test against RabbitMQ itself.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public const string ExternalUriVariable = "ORLEANSBROKER_TEST_AMQP_URI";

    private BrokerHost? _host;
    private string? _dataDir;

    /// <summary>True when the tests run against an external broker (RabbitMQ), not ours.</summary>
    public bool IsExternal { get; private set; }

    public string HostName { get; private set; } = "127.0.0.1";

    public int Port { get; private set; }

    public BrokerHost? Host => _host;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(ExternalUriVariable);
        if (!string.IsNullOrEmpty(external))
        {
            var uri = new Uri(external);
            IsExternal = true;
            HostName = uri.Host;
            Port = uri.Port > 0 ? uri.Port : 5672;
            return;
        }

        _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));
        _host = await BrokerHost.StartAsync(new BrokerOptions { AmqpPort = 0, Bind = "127.0.0.1", DataDir = _dataDir });
        Port = _host.AmqpPort;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_dataDir is not null && Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    public ConnectionFactory CreateFactory() => new()
    {
        HostName = HostName,
        Port = Port,
        UserName = "guest",
        Password = "guest",
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        RequestedHeartbeat = TimeSpan.FromSeconds(60),
    };

    public Task<IConnection> ConnectAsync(string? clientName = null) =>
        CreateFactory().CreateConnectionAsync(clientName ?? "orleansbroker-tests");

    /// <summary>A name no other test uses, so tests can share a broker.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
