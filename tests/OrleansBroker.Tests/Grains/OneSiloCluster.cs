namespace OrleansBroker.Tests.Grains;

/// <summary>A broker cluster of one silo, as a single broker node runs its grains.</summary>
public sealed class OneSiloCluster() : BrokerCluster(siloCount: 1)
{
    public const string Collection = "Grains on one silo";
}

/// <summary>The test classes that share the one-silo cluster (it starts once for all of them).</summary>
[CollectionDefinition(OneSiloCluster.Collection)]
public sealed class OneSiloClusterCollection : ICollectionFixture<OneSiloCluster>;
