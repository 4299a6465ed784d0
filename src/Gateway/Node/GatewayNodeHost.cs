using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Grains.Gateways;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Hosting;
using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Gateway.Node;

/// <summary>
/// A gateway-only node: the AMQP gateway in front of a cluster's silos, as an Orleans cluster client. It has no grains
/// and no state: queues it declares go where the locator puts them (client-local means balanced here), and its
/// connections' consumers and unacked deliveries are released by the cluster when its lease stops being renewed
/// (<see cref="GatewayLease"/>).
/// </summary>
public sealed class GatewayNodeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _amqpListener;
    private int _stopped;

    private GatewayNodeHost(WebApplication app, ListenOptions amqpListener)
    {
        _app = app;
        _amqpListener = amqpListener;
    }

    public EndPoint AmqpEndpoint => _amqpListener.EndPoint;

    public int AmqpPort => ((IPEndPoint)_amqpListener.EndPoint).Port;

    public IServiceProvider Services => _app.Services;

    public static async Task<GatewayNodeHost> StartAsync(BrokerOptions options, IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        if (!options.IsClustered)
        {
            throw new BrokerConfigurationException("a gateway node needs --cluster CONNSTR: the PostgreSQL database of the cluster's membership");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);
        BrokerLogging.Configure(builder.Logging.ClearProviders());
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.SectionName));
        builder.Services.PostConfigure<GatewayOptions>(gateway =>
        {
            // No node of its own (queues declared through it are placed balanced) and a leased id.
            gateway.LocalNode = null;
            gateway.GatewayId = GatewayIds.NewLeased();
        });
        builder.Services.AddAmqpGateway();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = BrokerCluster.ClusterId;
                o.ServiceId = BrokerCluster.ClusterId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = options.Cluster;
            });

            // Silos that join are used within seconds, not Orleans' default minute.
            client.Configure<Orleans.Configuration.GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            client.UseConnectionRetryFilter<ClusterConnectionRetry>();
        });

        ListenOptions? amqpListener = null;
        AmqpListener.UseSockets(builder.WebHost);
        builder.WebHost.ConfigureKestrel(kestrel => amqpListener = AmqpListener.Listen(kestrel, options.Bind, options.AmqpPort));

        var app = builder.Build();

        // The cluster client connects before Kestrel listens.
        await app.StartAsync(cancellationToken);
        await app.Services.GetRequiredService<VirtualHostDeletions>().StartAsync().WaitAsync(cancellationToken);
        return new GatewayNodeHost(app, amqpListener!);
    }

    /// <summary>
    /// Close every client connection with connection.close 320 CONNECTION_FORCED (which releases what they held), end
    /// the gateway's leases, and disconnect from the cluster.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _app.Services.GetRequiredService<ConnectionRegistry>().CloseAllAsync(TimeSpan.FromSeconds(3));
        await _app.Services.GetRequiredService<GatewayLease>().DisposeAsync();
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
