namespace OrleansBroker.Tests.Grains;

/// <summary>The three-silo fixture really is three silos in one cluster, each with the broker's grain services.</summary>
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
    public void Every_silo_has_its_own_routing_tables()
    {
        var tables = cluster.Silos.Select(BrokerCluster.RoutingTablesOf).ToArray();

        Assert.Equal(3, tables.Distinct().Count());
    }
}
