using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Grains;
using OrleansBroker.Grains.Access;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Queues.Placement;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Hosting;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Silo.DeadLettering;
using OrleansBroker.Management;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Silo.Hosting;

/// <summary>The services one broker is made of: what the grains need from the silo, and the AMQP gateway's.</summary>
internal static class BrokerServices
{
    public static void Add(IServiceCollection services, BrokerStorage storage, BrokerOptions options, string nodeName)
    {
        AddGrainServices(services, storage.MessageStore, options);
        services.AddOptions<GatewayOptions>().PostConfigure<Orleans.Runtime.ILocalSiloDetails>((gateway, silo) =>
        {
            gateway.LocalNode = nodeName;
            gateway.GatewayId = GatewayIds.ForSilo(silo.SiloAddress);
        });
        services.AddSingleton(storage);
        storage.RegisterGrainStorage(services, GrainStorageNames.Broker);
        services.AddAmqpGateway();
        ManagementHosting.AddServices(services, new NodeEnvironment
        {
            DataDir = options.DataDir,
            MemoryLimit = options.MemoryHighWatermarkBytes ?? (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * options.MemoryHighWatermarkRelative),
            DiskFreeLimit = options.DiskFreeLimitBytes,
        });
    }

    /// <summary>
    /// What the grains need from the silo they run in, besides their grain storage (<see cref="BrokerStorage"/>
    /// registers it): the cluster's nodes, the message store, the queue settings, and the placement of queues on their
    /// home node. The grain tests on Orleans' TestingHost set up their silos with it too.
    /// </summary>
    public static void AddGrainServices(IServiceCollection services, IMessageStore messageStore, BrokerOptions options)
    {
        services.AddSingleton<LocalChannels>();
        services.AddSingleton(provider => new ClusterNodes(
            provider.GetRequiredService<Orleans.Runtime.IClusterMembershipService>(), provider.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>(), options.IsClustered));
        services.AddSingleton(messageStore);
        services.AddSingleton<IDeadLetterPublisher, DeadLetterPublisher>();
        services.Configure<QueueOptions>(queues =>
        {
            queues.ResidentBytes = options.QueueResidentBytes;
            queues.LeaderLocator = options.QueueLeaderLocator;
        });
        services.AddPlacementDirector<QueueHomePlacement, QueueHomePlacementDirector>();
    }

    /// <summary>
    /// Bring the virtual hosts up once the silo is active, before the broker listens: after a restart this recovers
    /// durable exchanges, bindings, queues and their messages, and reports what it found.
    /// </summary>
    public static async Task StartVirtualHostsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansBroker.Silo");
        var grains = services.GetRequiredService<IGrainFactory>();
        var store = AccessControlKeys.Get(grains);
        await store.EnsureDefaults(options.DefaultUser, options.DefaultPassword, options.DefaultVirtualHost).AsTask().WaitAsync(cancellationToken);
        await services.GetRequiredService<VirtualHostDeletions>().StartAsync().WaitAsync(cancellationToken);
        foreach (var vhost in await store.ListVirtualHosts().AsTask().WaitAsync(cancellationToken))
        {
            var started = Stopwatch.StartNew();
            var recovery = await grains.GetGrain<IVirtualHostGrain>(vhost.Name).Start(services.GetRequiredService<ClusterNodes>().LocalName)
                .AsTask().WaitAsync(cancellationToken);
            await services.GetRequiredService<RoutingReplicas>().EnsureSubscribedAsync(vhost.Name).WaitAsync(cancellationToken);
            logger.LogInformation(
                "virtual host '{VirtualHost}' started in {Milliseconds} ms: {Exchanges} exchanges, {Queues} queues on this node, {Messages} messages recovered; {Dropped} transient entities dropped",
                vhost.Name, started.ElapsedMilliseconds, recovery.Exchanges, recovery.Queues, recovery.Messages, recovery.DroppedTransient);
        }
    }
}
