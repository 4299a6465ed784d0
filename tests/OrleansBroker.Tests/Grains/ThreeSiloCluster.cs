namespace OrleansBroker.Tests.Grains;

/// <summary>A broker cluster of three silos: grains activate on any of them and call each other across silos.</summary>
public sealed class ThreeSiloCluster() : BrokerCluster(siloCount: 3)
{
    public const string Collection = "Grains on three silos";
}

/// <summary>The test classes that share the three-silo cluster (it starts once for all of them).</summary>
[CollectionDefinition(ThreeSiloCluster.Collection)]
public sealed class ThreeSiloClusterCollection : ICollectionFixture<ThreeSiloCluster>;
