namespace OrleansBroker.Grains.Queues;

/// <summary>Settings every queue of a node shares.</summary>
public sealed class QueueOptions
{
    /// <summary>
    /// Bytes of ready messages a queue holds in memory; past it, persistent messages of durable queues keep only
    /// their id in memory and are read back from the message store as they near the head. Default 32 MiB.
    /// </summary>
    public long ResidentBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Where a queue declared without a locator argument lives (rabbitmq.conf queue_leader_locator): client-local,
    /// the node of the connection that declared it (default); or balanced, the node with the fewest queues.
    /// </summary>
    public string LeaderLocator { get; set; } = "client-local";
}
