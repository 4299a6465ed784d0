using System.Net.Http.Headers;
using System.Text;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Management;

/// <summary>A broker in-process on 127.0.0.1 with the management API and Prometheus on free ports, for one test class.</summary>
public sealed class ManagementBroker : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));

    public BrokerHost Host { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public HttpClient Metrics { get; private set; } = null!;

    public int ManagementPort => Host.ManagementEndpoint!.Port;

    public async Task InitializeAsync()
    {
        Host = await BrokerHost.StartAsync(new BrokerOptions { AmqpPort = 0, Bind = "127.0.0.1", DataDir = _dataDir, ManagementPort = 0, PrometheusPort = 0 });
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Host.ManagementEndpoint!.Port}/") };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
        Metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Host.PrometheusEndpoint!.Port}/") };
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        Metrics.Dispose();
        await Host.DisposeAsync();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    public Task<IConnection> ConnectAsync(string name = "management-tests") => new ConnectionFactory
    {
        HostName = "127.0.0.1",
        Port = Host.AmqpPort,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
    }.CreateConnectionAsync(name);
}
