using Microsoft.Extensions.DependencyInjection;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Silo.Hosting;

/// <summary>The services one broker is made of, and the order they shut down in.</summary>
internal static class BrokerServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<RoutingTables>();
    }

    public static Task ShutdownAsync(IServiceProvider services) => Task.CompletedTask;
}
