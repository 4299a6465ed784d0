namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>Settings of <see cref="SegmentMessageStore"/>.</summary>
public sealed class SegmentMessageStoreOptions
{
    /// <summary>
    /// Size at which a new segment file is started, in bytes. Space is reclaimed a whole segment at a
    /// time, so smaller segments free disk sooner and cost more files. A message larger than this gets a
    /// segment of its own. Default 64 MiB; at least 4 KiB, at most 2 GiB.
    /// </summary>
    public long SegmentSize { get; set; } = 64L << 20;

    /// <summary>
    /// How long delivered and removed marks may wait for an fsync when no append brings one (they reach the
    /// OS at once; this bounds what a power loss can take). Default 200 ms.
    /// </summary>
    public TimeSpan WriteBehindFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A sealed segment whose live messages take less than this fraction of it is compacted: the live ones are
    /// copied forward and the segment deleted. 0 turns compaction off. Default 0.5, so compaction at most
    /// doubles what is written for a message.
    /// </summary>
    public double CompactBelowLiveFraction { get; set; } = 0.5;

    /// <summary>
    /// Bytes compaction copies per step of the writer loop; it bounds how long one step can delay appends.
    /// Default 1 MiB.
    /// </summary>
    public int CompactionBytesPerStep { get; set; } = 1 << 20;

    internal void Validate()
    {
        if (SegmentSize is < 4096 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSize), SegmentSize, "Segment size must be between 4 KiB and 2 GiB.");
        }

        if (WriteBehindFlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteBehindFlushInterval), WriteBehindFlushInterval, "Must be positive.");
        }

        if (CompactBelowLiveFraction is < 0 or > 1 || double.IsNaN(CompactBelowLiveFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(CompactBelowLiveFraction), CompactBelowLiveFraction, "Must be between 0 and 1.");
        }

        if (CompactionBytesPerStep <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CompactionBytesPerStep), CompactionBytesPerStep, "Must be positive.");
        }
    }
}
