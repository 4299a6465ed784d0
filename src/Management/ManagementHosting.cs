using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using OrleansBroker.Management.Access;
using OrleansBroker.Management.Api;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Metrics;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Management;

/// <summary>What a broker node adds to host the management API and the Prometheus endpoint.</summary>
public static class ManagementHosting
{
    /// <summary>The services: the node grain's placement, the API's routes, the metrics.</summary>
    public static void AddServices(IServiceCollection services, NodeEnvironment environment)
    {
        services.AddSingleton(environment);
        services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
        services.AddSingleton<ManagementAccess>();
        services.AddSingleton<BrokerView>();
        services.AddSingleton<QueueRoutes>();
        services.AddSingleton<ExchangeRoutes>();
        services.AddSingleton<BindingRoutes>();
        services.AddSingleton<ConnectionRoutes>();
        services.AddSingleton<OverviewRoutes>();
        services.AddSingleton<AccessRoutes>();
        services.AddSingleton<DefinitionRoutes>();
        services.AddSingleton<HealthRoutes>();
        services.AddSingleton<PolicyRoutes>();
        services.AddSingleton<ManagementApi>();
        services.AddSingleton<PrometheusMetrics>();
    }

    /// <summary>
    /// Serve the API to requests arriving on the management port and metrics to those on the Prometheus port; the
    /// ports are read per request since a port asked as 0 is known only once the listener is bound.
    /// </summary>
    public static void Map(IApplicationBuilder app, Func<int?> managementPort, Func<int?> prometheusPort)
    {
        app.MapWhen(context => context.Connection.LocalPort == managementPort(), branch =>
            branch.Run(context => context.RequestServices.GetRequiredService<ManagementApi>().HandleAsync(context)));
        app.MapWhen(context => context.Connection.LocalPort == prometheusPort(), branch =>
            branch.Run(context => context.RequestServices.GetRequiredService<PrometheusMetrics>().HandleAsync(context)));
    }
}
