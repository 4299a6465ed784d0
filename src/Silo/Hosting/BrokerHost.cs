using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;
using Orleans.Hosting;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Hosting;
using OrleansBroker.Management;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Silo.Hosting;

/// <summary>
/// One broker node in this process: an Orleans silo hosting the grains, the AMQP gateway on Kestrel in front of it,
/// and the storage both use. Tests start it on port 0 and read <see cref="AmqpPort"/>.
/// </summary>
public sealed class BrokerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _amqpListener;
    private readonly ListenOptions? _dashboardListener;
    private readonly ListenOptions? _managementListener;
    private readonly ListenOptions? _prometheusListener;
    private readonly BrokerStorage _storage;
    private int _stopped;

    private BrokerHost(WebApplication app, ListenOptions amqpListener, ListenOptions? dashboardListener, ListenOptions? managementListener,
        ListenOptions? prometheusListener, BrokerStorage storage, SiloEndpoints siloEndpoints)
    {
        _managementListener = managementListener;
        _prometheusListener = prometheusListener;
        _app = app;
        _amqpListener = amqpListener;
        _dashboardListener = dashboardListener;
        _storage = storage;
        SiloEndpoints = siloEndpoints;
    }

    /// <summary>The address the AMQP listener is bound to (with the real port when 0 was asked).</summary>
    public EndPoint AmqpEndpoint => _amqpListener.EndPoint;

    public int AmqpPort => ((IPEndPoint)_amqpListener.EndPoint).Port;

    /// <summary>Where the Orleans Dashboard answers HTTP (with the real port when 0 was asked); null when it is off.</summary>
    public IPEndPoint? DashboardEndpoint => (IPEndPoint?)_dashboardListener?.EndPoint;

    /// <summary>Where the management HTTP API answers (with the real port when 0 was asked); null when it is off.</summary>
    public IPEndPoint? ManagementEndpoint => (IPEndPoint?)_managementListener?.EndPoint;

    /// <summary>Where the Prometheus endpoint answers (with the real port when 0 was asked); null when it is off.</summary>
    public IPEndPoint? PrometheusEndpoint => (IPEndPoint?)_prometheusListener?.EndPoint;

    /// <summary>Where this node's Orleans silo talks to other silos and to Orleans client applications.</summary>
    public SiloEndpoints SiloEndpoints { get; }

    public IServiceProvider Services => _app.Services;

    public static Task<BrokerHost> StartAsync(BrokerOptions options, IConfiguration? configuration = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, configuration, configureSilo: null, cancellationToken);

    /// <param name="configureSilo">
    /// More for the broker's silo: an Orleans app co-hosted in it (its grains in this silo) adds the services its grains
    /// need here.
    /// </param>
    public static async Task<BrokerHost> StartAsync(BrokerOptions options, IConfiguration? configuration, Action<ISiloBuilder>? configureSilo, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }

        BrokerLogging.Configure(builder.Logging.ClearProviders());

        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.SectionName));
        builder.Services.AddSingleton(options);
        BrokerStorage storage;
        using (var startupLogging = LoggerFactory.Create(logging =>
               {
                   BrokerLogging.Configure(logging);
                   if (configuration is not null)
                   {
                       logging.AddConfiguration(configuration.GetSection("Logging"));
                   }
               }))
        {
            storage = await BrokerStorage.OpenAsync(options, startupLogging, cancellationToken);
        }

        var siloEndpoints = BrokerSilo.ChooseEndpoints(options);
        var nodeName = BrokerSilo.NodeName(options, siloEndpoints);
        try
        {
            BrokerServices.Add(builder.Services, storage, options, nodeName);
            builder.UseOrleans(silo =>
            {
                BrokerSilo.Configure(silo, options, siloEndpoints, nodeName);
                silo.AddStartupTask(static (services, cancellation) => BrokerServices.StartVirtualHostsAsync(services, cancellation));
                configureSilo?.Invoke(silo);
            });

            ListenOptions? amqpListener = null;
            ListenOptions? dashboardListener = null;
            ListenOptions? managementListener = null;
            ListenOptions? prometheusListener = null;
            AmqpListener.UseSockets(builder.WebHost);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                amqpListener = AmqpListener.Listen(kestrel, options.Bind, options.AmqpPort);

                // The management API and Prometheus listen where AMQP does, as RabbitMQ's listen on every interface.
                void Http(int port, Action<ListenOptions> keep)
                {
                    if (AmqpListener.IsAnyAddress(options.Bind))
                    {
                        kestrel.ListenAnyIP(port, keep);
                    }
                    else
                    {
                        kestrel.Listen(AmqpListener.ParseAddress(options.Bind), port, keep);
                    }
                }

                if (options.ManagementPort is { } managementPort)
                {
                    Http(managementPort, listen => managementListener = listen);
                }

                if (options.PrometheusPort is { } prometheusPort)
                {
                    Http(prometheusPort, listen => prometheusListener = listen);
                }

                if (options.DashboardPort is { } dashboardPort)
                {
                    // The dashboard has no authentication: it listens on the one address --bind names, and on loopback only when
                    // --bind means every interface.
                    var dashboardAddress = AmqpListener.IsAnyAddress(options.Bind) ? IPAddress.Loopback : AmqpListener.ParseAddress(options.Bind);
                    kestrel.Listen(dashboardAddress, dashboardPort, listen => dashboardListener = listen);
                }
            });

            var app = builder.Build();
            int? BoundPort(ListenOptions? listener) => listener is null ? null : ((IPEndPoint)listener.EndPoint).Port;
            ManagementHosting.Map(app, () => BoundPort(managementListener), () => BoundPort(prometheusListener));
            if (options.DashboardPort is not null)
            {
                // The only HTTP listener: the AMQP one hands its connections to the AMQP handler, never to these routes.
                app.MapOrleansDashboard();
            }

            // The silo (and its start-up task, which recovers the virtual hosts) starts before Kestrel listens.
            await app.StartAsync(cancellationToken);
            var environment = app.Services.GetRequiredService<NodeEnvironment>();
            environment.AmqpPort = ((IPEndPoint)amqpListener!.EndPoint).Port;
            environment.ManagementPort = BoundPort(managementListener);
            environment.PrometheusPort = BoundPort(prometheusListener);
            await siloEndpoints.WriteAsync(Path.GetFullPath(options.DataDir), cancellationToken);
            return new BrokerHost(app, amqpListener!, dashboardListener, managementListener, prometheusListener, storage, siloEndpoints);
        }
        catch
        {
            await storage.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Close every client connection with connection.close 320 CONNECTION_FORCED, as RabbitMQ does on shutdown, then
    /// stop listening, stop the silo (deactivating the grains), and close storage.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _app.Services.GetRequiredService<ConnectionRegistry>().CloseAllAsync(TimeSpan.FromSeconds(3));
        await _app.StopAsync();
        await _storage.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
