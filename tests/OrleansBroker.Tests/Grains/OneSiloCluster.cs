using OrleansBroker.Hosting;

namespace OrleansBroker.Tests.Grains;

/// <summary>A broker cluster of one silo, set up as a broker on its own (not clustered).</summary>
public sealed class OneSiloCluster() : BrokerCluster(siloCount: 1, new BrokerOptions())
{
    public const string Collection = "Grains on one silo";
}

/// <summary>The test classes that share the one-silo cluster (it starts once for all of them).</summary>
[CollectionDefinition(OneSiloCluster.Collection)]
public sealed class OneSiloClusterCollection : ICollectionFixture<OneSiloCluster>;
