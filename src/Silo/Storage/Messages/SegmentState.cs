namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// What the store knows about one segment file: how much of it is still live, how far it can be read,
/// and which other segments it must outlive (or that must outlive it) for recovery to stay correct.
/// Guarded by the index's lock.
/// </summary>
internal sealed class SegmentState(uint number, string path, long length)
{
    public uint Number { get; } = number;

    public string Path { get; } = path;

    /// <summary>Bytes written to the file so far (through the OS, not necessarily fsynced): what readers may read.</summary>
    public long Length { get; set; } = length;

    /// <summary>Append records in this segment whose message is live.</summary>
    public int LiveMessages { get; set; }

    /// <summary>Bytes of those append records.</summary>
    public long LiveBytes { get; set; }

    /// <summary>
    /// Older segments holding messages that delivered, removed or queue-deleted records in this segment
    /// refer to. While any of them exists, this segment must too: deleting it would bring their messages
    /// back (or lose their delivered flag) at the next recovery.
    /// </summary>
    public HashSet<uint> Outlives { get; } = [];

    /// <summary>The reverse of <see cref="Outlives"/>: newer segments that must outlive this one.</summary>
    public HashSet<uint> OutlivedBy { get; } = [];

    /// <summary>
    /// Recovery skipped something in it (a damaged or malformed record, unreadable bytes, an I/O error), so
    /// what it holds is not fully known: it is kept as it is, for inspection, and never deleted or compacted
    /// by the store. The log at startup said what was skipped.
    /// </summary>
    public bool Damaged { get; set; }

    public bool IsReclaimable => LiveMessages == 0 && Outlives.Count == 0 && !Damaged;
}
