namespace OrleansBroker.Hosting;

/// <summary>What every process of one broker cluster shares: silos and gateway-only nodes alike.</summary>
public static class BrokerCluster
{
    /// <summary>The Orleans cluster and service id every broker node uses: one broker per membership database.</summary>
    public const string ClusterId = "orleansbroker";
}
