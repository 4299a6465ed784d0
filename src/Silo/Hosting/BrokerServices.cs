using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Grains.Runtime;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Grains;
using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Silo.Hosting;

/// <summary>The services one broker is made of, and the order they shut down in.</summary>
internal static class BrokerServices
{
    public static void Add(IServiceCollection services, BrokerStorage storage)
    {
        services.AddSingleton(storage);
        services.AddSingleton<RoutingTables>();
        services.AddSingleton(storage.GrainStorage);
        services.AddSingleton(storage.MessageStore);
        services.AddSingleton(CreateRuntime);
        services.AddSingleton<IGrainFactory>(provider => provider.GetRequiredService<GrainRuntime>());
        services.AddSingleton<IUserAuthenticator, DefaultUserAuthenticator>();
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<ConnectionRegistry>();
    }

    /// <summary>
    /// Bring the virtual hosts up before the broker listens: after a restart this recovers durable
    /// exchanges, bindings, queues and their messages, and reports what it found.
    /// </summary>
    public static async Task StartVirtualHostsAsync(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansBroker.Silo");
        var started = Stopwatch.StartNew();
        var recovery = await services.GetRequiredService<IGrainFactory>().GetGrain<IVirtualHostGrain>(options.DefaultVirtualHost).Start();
        logger.LogInformation(
            "virtual host '{VirtualHost}' started in {Milliseconds} ms: {Exchanges} exchanges, {Queues} queues, {Messages} messages recovered; {Dropped} transient entities dropped",
            options.DefaultVirtualHost, started.ElapsedMilliseconds, recovery.Exchanges, recovery.Queues, recovery.Messages, recovery.DroppedTransient);
    }

    /// <summary>Gateways first (clients get connection.close 320), then the grains, then storage.</summary>
    public static async Task ShutdownAsync(IServiceProvider services)
    {
        await services.GetRequiredService<ConnectionRegistry>().CloseAllAsync(TimeSpan.FromSeconds(3));
        await services.GetRequiredService<GrainRuntime>().DisposeAsync();
        await services.GetRequiredService<BrokerStorage>().DisposeAsync();
    }

    private static GrainRuntime CreateRuntime(IServiceProvider provider)
    {
        var routingTables = provider.GetRequiredService<RoutingTables>();
        var messageStore = provider.GetRequiredService<IMessageStore>();
        var residentBytes = provider.GetRequiredService<BrokerOptions>().QueueResidentBytes;
        var runtime = new GrainRuntime(provider.GetRequiredService<IGrainStorage>(), provider.GetRequiredService<ILoggerFactory>());
        runtime.Register<IVirtualHostGrain, VirtualHostGrain>(
            context => new VirtualHostGrain(context, runtime.CreatePersistentState<VirtualHostState>(context, "vhost"), routingTables),
            reference => new VirtualHostGrainProxy(reference));
        runtime.Register<IExchangeGrain, ExchangeGrain>(
            context => new ExchangeGrain(context, runtime.CreatePersistentState<ExchangeState>(context, "exchange"), routingTables),
            reference => new ExchangeGrainProxy(reference));
        runtime.Register<IQueueGrain, QueueGrain>(
            context => new QueueGrain(context, runtime.CreatePersistentState<QueueState>(context, "queue"), messageStore, residentBytes),
            reference => new QueueGrainProxy(reference));
        return runtime;
    }
}
