using OrleansBroker.Hosting;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A broker cluster of three silos, set up as clustered broker nodes: grains activate on any of them (queues on their
/// home node) and call each other across silos.
/// </summary>
public sealed class ThreeSiloCluster() : BrokerCluster(siloCount: 3, Clustered)
{
    public const string Collection = "Grains on three silos";

    // A cluster's membership database: only whether it is set matters to the grains' services (the nodes are then
    // looked up in membership), and the membership here is TestingHost's, in memory.
    private static BrokerOptions Clustered => new() { Cluster = "TestingHost in-memory membership" };
}

/// <summary>The test classes that share the three-silo cluster (it starts once for all of them).</summary>
[CollectionDefinition(ThreeSiloCluster.Collection)]
public sealed class ThreeSiloClusterCollection : ICollectionFixture<ThreeSiloCluster>;
