namespace OrleansBroker.Grains.Queues;

/// <summary>Settings every queue of a node shares.</summary>
public sealed class QueueOptions
{
    /// <summary>
    /// Bytes of ready messages a queue holds in memory; past it, persistent messages of durable queues keep only
    /// their id in memory and are read back from the message store as they near the head. Default 32 MiB.
    /// </summary>
    public long ResidentBytes { get; set; } = 32L * 1024 * 1024;
}
