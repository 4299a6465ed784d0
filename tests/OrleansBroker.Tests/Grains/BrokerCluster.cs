using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Orleans.Runtime.Hosting;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using OrleansBroker.Silo.Storage;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// An Orleans test cluster (TestingHost's in-process silos, in-memory transport and membership) whose silos get the
/// grains' services from <see cref="BrokerServices.AddGrainServices"/>, exactly as a broker node does, and grain
/// state through the broker's SQLite provider, over storage in a temporary directory that goes with the cluster. Shared by the test classes of a collection: each test makes
/// its own virtual host (<see cref="NewVirtualHost"/>) so tests do not see each other's entities.
/// </summary>
public abstract class BrokerCluster : IAsyncLifetime
{
    private readonly short _siloCount;
    private readonly BrokerOptions _options;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleansbroker-graintests-" + Guid.NewGuid().ToString("N"));
    private readonly List<SiloStorage> _storages = new();
    private InProcessTestCluster? _cluster;

    protected BrokerCluster(short siloCount, BrokerOptions options)
    {
        _siloCount = siloCount;
        _options = options;
    }

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed.");

    public IClusterClient Client => Cluster.Client;

    public IReadOnlyList<InProcessSiloHandle> Silos => Cluster.Silos;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var database = Path.Combine(_directory, "grains.db");

        // Opened here, one per silo and one after another (the first makes the database's schema); each silo takes one
        // as it is built, since a silo's services are set up synchronously and the stores open asynchronously.
        var unclaimed = new ConcurrentQueue<SiloStorage>();
        for (var i = 0; i < _siloCount; i++)
        {
            var storage = await SiloStorage.OpenAsync(database, Path.Combine(_directory, $"messages-{i}"));
            _storages.Add(storage);
            unclaimed.Enqueue(storage);
        }

        var builder = new InProcessTestClusterBuilder(_siloCount);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((silo, host) =>
        {
            if (!unclaimed.TryDequeue(out var storage))
            {
                throw new InvalidOperationException($"Storage was opened for {_siloCount} silos; silo '{silo.SiloName}' is one more.");
            }

            BrokerServices.AddGrainServices(host.Services, storage.MessageStore, _options);
            host.Services.AddGrainStorage(GrainStorageNames.Broker, (_, _) => new OrleansGrainStorage(storage.GrainStorage));

            // What a gateway in the silo routes publishes by: its copy of each virtual host's routing.
            host.Services.AddSingleton<RoutingReplicas>();
        });

        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await WaitForMembershipAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>A virtual host of its own for one test (the grains make it on first use, with RabbitMQ's standard exchanges).</summary>
    public static string NewVirtualHost() => "test-" + Guid.NewGuid().ToString("N");

    public static IGrainFactory GrainFactoryOf(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<IGrainFactory>();

    /// <summary>The copies of the virtual hosts' routing that one silo's gateways publish through.</summary>
    public static RoutingReplicas RoutingReplicasOf(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<RoutingReplicas>();

    /// <summary>The broker's nodes as one silo sees them (a node's name is its silo's name).</summary>
    public static ClusterNodes ClusterNodesOf(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<ClusterNodes>();

    /// <summary>The silo the grain is active on now.</summary>
    public InProcessSiloHandle HostOf(IAddressable grain)
    {
        if (!Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) || context.Address.SiloAddress is not { } address)
        {
            throw new InvalidOperationException($"Grain {grain.GetGrainId()} is not active on any silo.");
        }

        return Cluster.GetSiloForAddress(address)
            ?? throw new InvalidOperationException($"Grain {grain.GetGrainId()} is active on {address}, which is not a silo of this cluster.");
    }

    /// <summary>
    /// Activate a grain on the silo given, through its first call: Orleans' placement hint steers where a new activation
    /// goes. Tests place grains so that the calls between them cross silos for certain, not by chance.
    /// </summary>
    public async Task ActivateOnAsync(InProcessSiloHandle silo, IAddressable grain, Func<Task> firstCall)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        try
        {
            await firstCall();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }

        var host = HostOf(grain);
        if (host != silo)
        {
            throw new InvalidOperationException($"Grain {grain.GetGrainId()} was to activate on {silo.SiloAddress} but is on {host.SiloAddress} (already active?).");
        }
    }

    /// <summary>
    /// Deactivate a grain and activate it anew on the silo given, as when a node leaves and the grain is called again.
    /// The first call goes through the grain factory of the silo the grain left: that silo forgot the old address as
    /// the grain deactivated, so the call is placed afresh (a caller still holding the old address would have the
    /// grain activated again where it was).
    /// </summary>
    public async Task MoveAsync<TGrain>(TGrain grain, InProcessSiloHandle to, Func<TGrain, Task> firstCall)
        where TGrain : IGrainWithStringKey
    {
        var from = HostOf(grain);
        await Cluster.DeactivateAsync(grain);
        var fresh = GrainFactoryOf(from).GetGrain<TGrain>(grain.GetPrimaryKeyString());
        await ActivateOnAsync(to, fresh, () => firstCall(fresh));
    }

    /// <summary>
    /// Write out what every silo's message store holds queued (delivered marks and removals are written behind), as
    /// a broker does when it stops: a test that deactivates a queue then sees what a restarted node would recover.
    /// </summary>
    public async Task FlushMessageStoresAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.MessageStore.FlushAsync();
        }
    }

    /// <summary>
    /// TestingHost waits only briefly for the silos to see each other; tests that need every silo active wait here,
    /// boundedly, until the cluster's membership lists them all.
    /// </summary>
    private async Task WaitForMembershipAsync()
    {
        var management = Client.GetGrain<IManagementGrain>(0);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await management.GetHosts(onlyActive: true)).Count < _siloCount)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }
}
