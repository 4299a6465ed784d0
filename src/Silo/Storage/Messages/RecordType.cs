namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>The first payload byte of a segment record (see <see cref="SegmentFormat"/>). Values are on disk: never renumber.</summary>
internal enum RecordType : byte
{
    QueueName = 1,
    Append = 2,
    Delivered = 3,
    Removed = 4,
    QueueDeleted = 5,
}
