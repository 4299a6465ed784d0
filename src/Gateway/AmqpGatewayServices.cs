using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains.Gateways;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway;

/// <summary>The AMQP gateway's services, the same in a silo and on a gateway-only node (an Orleans client).</summary>
public static class AmqpGatewayServices
{
    public static IServiceCollection AddAmqpGateway(this IServiceCollection services)
    {
        services.TryAddSingleton<LocalChannels>();
        services.AddSingleton<RoutingReplicas>();
        services.AddSingleton<IUserAuthenticator, AccessControlAuthenticator>();
        services.AddSingleton<VirtualHostDeletions>();

        // A silo's gateway is named after its silo (set by the silo's host); one without a silo takes a leased id.
        services.AddSingleton(provider => new GatewayLease(
            provider.GetRequiredService<IGrainFactory>(),
            provider.GetRequiredService<IOptions<GatewayOptions>>().Value.GatewayId ?? GatewayIds.NewLeased(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansBroker.Gateway.Lease")));
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<ConnectionRegistry>();
        return services;
    }
}
