namespace OrleansBroker.Grains;

/// <summary>Names of the grain storage providers the broker's grains keep their state in.</summary>
public static class GrainStorageNames
{
    /// <summary>The broker's own state: virtual hosts, exchanges, queues (SQLite on one node, PostgreSQL in a cluster).</summary>
    public const string Broker = "broker";
}
