using System.Net;
using System.Text.Json;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;

namespace OrleansBroker.Tests.Integration.Hosting;

/// <summary>
/// The Orleans Dashboard (--dashboard-port): off unless asked; when asked, it serves its page and the live state of this
/// node's silo over HTTP, on the --bind address, or on loopback only when the broker listens on every interface.
/// </summary>
public sealed class DashboardTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public void Dispose()
    {
        _http.Dispose();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_dashboard_serves_its_page_and_this_silo_on_the_port_asked()
    {
        await using var host = await BrokerHost.StartAsync(new BrokerOptions
        {
            AmqpPort = 0,
            Bind = "127.0.0.1",
            DataDir = _dataDir,
            NodeName = "dashboard-test-node",
            DashboardPort = 0,
        });
        var dashboard = Assert.IsType<IPEndPoint>(host.DashboardEndpoint);
        Assert.Equal(IPAddress.Loopback, dashboard.Address);
        Assert.NotEqual(0, dashboard.Port);
        Assert.NotEqual(host.AmqpPort, dashboard.Port);

        using var page = await _http.GetAsync($"http://{dashboard}/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // The counters come from the silo through the dashboard's grain, which gathers them once a second: this node,
        // active, hosting the broker's exchange grains.
        var counters = await CountersOnceGatheredAsync(dashboard);
        var silo = Assert.Single(counters.GetProperty("hosts").EnumerateArray());
        Assert.Equal("dashboard-test-node", silo.GetProperty("siloName").GetString());
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.Contains(
            counters.GetProperty("simpleGrainStats").EnumerateArray(),
            grain => grain.GetProperty("grainType").GetString() == "OrleansBroker.Grains.Exchanges.ExchangeGrain");
    }

    [Fact]
    public async Task On_a_broker_listening_on_every_interface_the_dashboard_is_on_loopback_only()
    {
        await using var host = await BrokerHost.StartAsync(new BrokerOptions { AmqpPort = 0, Bind = "*", DataDir = _dataDir, DashboardPort = 0 });

        var dashboard = Assert.IsType<IPEndPoint>(host.DashboardEndpoint);
        Assert.Equal(IPAddress.Loopback, dashboard.Address);
        using var page = await _http.GetAsync($"http://{dashboard}/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private async Task<JsonElement> CountersOnceGatheredAsync(IPEndPoint dashboard)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var counters = JsonDocument.Parse(await _http.GetStringAsync($"http://{dashboard}/DashboardCounters"));
            if (counters.RootElement.GetProperty("hosts").GetArrayLength() > 0 || DateTime.UtcNow > deadline)
            {
                return counters.RootElement.Clone();
            }

            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task There_is_no_dashboard_unless_asked()
    {
        await using var host = await BrokerHost.StartAsync(new BrokerOptions { AmqpPort = 0, Bind = "127.0.0.1", DataDir = _dataDir });

        Assert.Null(host.DashboardEndpoint);
    }
}
