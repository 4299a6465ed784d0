using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Grains.Runtime;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Grains;
using OrleansBroker.Silo.Runtime;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Silo.Hosting;

/// <summary>The services one broker is made of, and the order they shut down in.</summary>
internal static class BrokerServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<RoutingTables>();
        services.AddSingleton<IGrainStorage, MemoryGrainStorage>();
        services.AddSingleton(CreateRuntime);
        services.AddSingleton<IGrainFactory>(provider => provider.GetRequiredService<GrainRuntime>());
        services.AddSingleton<IUserAuthenticator, DefaultUserAuthenticator>();
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<ConnectionRegistry>();
    }

    /// <summary>Gateways first (clients get connection.close 320), then the grains.</summary>
    public static async Task ShutdownAsync(IServiceProvider services)
    {
        await services.GetRequiredService<ConnectionRegistry>().CloseAllAsync(TimeSpan.FromSeconds(3));
        await services.GetRequiredService<GrainRuntime>().DisposeAsync();
    }

    private static GrainRuntime CreateRuntime(IServiceProvider provider)
    {
        var routingTables = provider.GetRequiredService<RoutingTables>();
        var runtime = new GrainRuntime(provider.GetRequiredService<IGrainStorage>(), provider.GetRequiredService<ILoggerFactory>());
        runtime.Register<IVirtualHostGrain, VirtualHostGrain>(
            context => new VirtualHostGrain(context, runtime.CreatePersistentState<VirtualHostState>(context, "vhost"), routingTables),
            reference => new VirtualHostGrainProxy(reference));
        runtime.Register<IExchangeGrain, ExchangeGrain>(
            context => new ExchangeGrain(context, runtime.CreatePersistentState<ExchangeState>(context, "exchange"), routingTables),
            reference => new ExchangeGrainProxy(reference));
        runtime.Register<IQueueGrain, QueueGrain>(
            context => new QueueGrain(context, runtime.CreatePersistentState<QueueState>(context, "queue")),
            reference => new QueueGrainProxy(reference));
        return runtime;
    }
}
