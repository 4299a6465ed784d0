using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Grains;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Silo.Hosting;

/// <summary>The services one broker is made of: what the grains need from the silo, and the AMQP gateway's.</summary>
internal static class BrokerServices
{
    public static void Add(IServiceCollection services, BrokerStorage storage, BrokerOptions options)
    {
        services.AddSingleton(storage);
        AddGrainServices(services, storage.GrainStorage, storage.MessageStore, options);
        services.AddSingleton<IUserAuthenticator, DefaultUserAuthenticator>();
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<ConnectionRegistry>();
    }

    /// <summary>
    /// What the grains need from the silo they run in: the broker's grain storage provider, the message store, the
    /// routing tables and the queue settings. The grain tests on Orleans' TestingHost set up their silos with it too.
    /// </summary>
    public static void AddGrainServices(IServiceCollection services, IGrainStorage grainStorage, IMessageStore messageStore, BrokerOptions options)
    {
        services.AddSingleton<RoutingTables>();
        services.AddSingleton(messageStore);
        services.AddGrainStorage(GrainStorageNames.Broker, (_, _) => new OrleansGrainStorage(grainStorage));
        services.Configure<QueueOptions>(queues => queues.ResidentBytes = options.QueueResidentBytes);
    }

    /// <summary>
    /// Bring the virtual hosts up once the silo is active, before the broker listens: after a restart this recovers
    /// durable exchanges, bindings, queues and their messages, and reports what it found.
    /// </summary>
    public static async Task StartVirtualHostsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansBroker.Silo");
        var started = Stopwatch.StartNew();
        var recovery = await services.GetRequiredService<IGrainFactory>().GetGrain<IVirtualHostGrain>(options.DefaultVirtualHost).Start()
            .AsTask().WaitAsync(cancellationToken);
        logger.LogInformation(
            "virtual host '{VirtualHost}' started in {Milliseconds} ms: {Exchanges} exchanges, {Queues} queues, {Messages} messages recovered; {Dropped} transient entities dropped",
            options.DefaultVirtualHost, started.ElapsedMilliseconds, recovery.Exchanges, recovery.Queues, recovery.Messages, recovery.DroppedTransient);
    }
}
