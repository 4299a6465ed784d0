namespace OrleansBroker.Management.Nodes;

/// <summary>What the hosting process tells the management API about its node: listeners, data directory, alarm limits.</summary>
public sealed class NodeEnvironment
{
    public int AmqpPort { get; set; }

    public int? ManagementPort { get; set; }

    public int? PrometheusPort { get; set; }

    public string DataDir { get; set; } = ".";

    /// <summary>The memory alarm's threshold in bytes (vm_memory_high_watermark).</summary>
    public long MemoryLimit { get; set; }

    /// <summary>The free-disk alarm's threshold in bytes (disk_free_limit).</summary>
    public long DiskFreeLimit { get; set; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Free bytes on the data directory's disk (0 when it cannot be read).</summary>
    public long DiskFree()
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(DataDir)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
