using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Connections;

namespace OrleansBroker.Silo.Hosting;

/// <summary>
/// One broker in this process: the grain runtime, the AMQP listener on Kestrel and the services
/// between them. Tests start it on port 0 and read <see cref="AmqpPort"/>.
/// </summary>
public sealed class BrokerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _amqpListener;
    private int _stopped;

    private BrokerHost(WebApplication app, ListenOptions amqpListener)
    {
        _app = app;
        _amqpListener = amqpListener;
    }

    /// <summary>The address the AMQP listener is bound to (with the real port when 0 was asked).</summary>
    public EndPoint AmqpEndpoint => _amqpListener.EndPoint;

    public int AmqpPort => ((IPEndPoint)_amqpListener.EndPoint).Port;

    public IServiceProvider Services => _app.Services;

    public static async Task<BrokerHost> StartAsync(BrokerOptions options, IConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }

        ConfigureLogging(builder.Logging.ClearProviders());

        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.SectionName));
        builder.Services.AddSingleton(options);
        using (var startupLogging = LoggerFactory.Create(ConfigureLogging))
        {
            var storage = await BrokerStorage.OpenAsync(options, startupLogging, cancellationToken);
            BrokerServices.Add(builder.Services, storage);
        }

        ListenOptions? amqpListener = null;
        builder.WebHost.UseSockets(sockets =>
        {
            // Run the connection's read loop where the socket's data arrives and send where frames are written,
            // instead of hopping through Kestrel's I/O queues: the broker's code never blocks (storage work is
            // asynchronous or leaves the thread), and each hop cost more CPU than the work it carried.
            sockets.UnsafePreferInlineScheduling = true;

            // Receive straight into a buffer instead of a zero-byte read first: one receive syscall per read
            // instead of two (measured: 10-20% less broker CPU per message) for about 4 KiB more per idle connection.
            sockets.WaitForDataBeforeAllocatingBuffer = false;
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            void Amqp(ListenOptions listen)
            {
                amqpListener = listen;
                listen.UseConnectionHandler<AmqpConnectionHandler>();
            }

            if (options.Bind is "*" or "" or "::" or "[::]")
            {
                // ListenAnyIP binds a dual-mode IPv6 socket (IPv4 and IPv6), falling back to IPv4 where IPv6 is off.
                kestrel.ListenAnyIP(options.AmqpPort, Amqp);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(options.Bind.Trim('[', ']')), options.AmqpPort, Amqp);
            }
        });

        var app = builder.Build();
        await BrokerServices.StartVirtualHostsAsync(app.Services);
        await app.StartAsync(cancellationToken);
        return new BrokerHost(app, amqpListener!);
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("OrleansBroker", LogLevel.Information);

        // A failed start is reported once, in plain words, by BrokerCommandLine.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
    }

    /// <summary>
    /// Close every client connection with connection.close 320 CONNECTION_FORCED, as RabbitMQ does
    /// on shutdown, then stop listening and deactivate the grains.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await BrokerServices.ShutdownAsync(_app.Services);
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
