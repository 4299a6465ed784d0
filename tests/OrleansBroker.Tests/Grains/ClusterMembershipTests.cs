namespace OrleansBroker.Tests.Grains;

/// <summary>The three-silo fixture really is three silos in one cluster, each a clustered broker node to the grains.</summary>
[Collection(ThreeSiloCluster.Collection)]
public sealed class ClusterMembershipTests(ThreeSiloCluster cluster)
{
    [Fact]
    public async Task Membership_lists_three_active_silos()
    {
        var hosts = await cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);

        Assert.Equal(3, hosts.Count);
        Assert.Equal(hosts.Keys.Order(), cluster.Silos.Select(silo => silo.SiloAddress).Order());
    }

    [Fact]
    public void Every_silo_sees_the_three_nodes_by_name()
    {
        var names = cluster.Silos.Select(silo => silo.Name).Order(StringComparer.Ordinal);

        Assert.All(cluster.Silos, silo => Assert.Equal(names, BrokerCluster.ClusterNodesOf(silo).ActiveNames()));
        Assert.All(cluster.Silos, silo => Assert.True(BrokerCluster.ClusterNodesOf(silo).Clustered));
    }
}
