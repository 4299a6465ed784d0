using Microsoft.Extensions.Logging;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>What the message store logs: what recovery found and dropped, what reclaiming did, and failures.</summary>
internal static partial class MessageStoreLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Message store {Directory}: recovered {Messages} messages of {Queues} queues from {Segments} segments ({Bytes} bytes) in {ElapsedMilliseconds} ms")]
    public static partial void Recovered(ILogger logger, string directory, long messages, int queues, int segments, long bytes, long elapsedMilliseconds);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "Message store segment {Path} is {Length} bytes, shorter than its header: left by a crash while it was created; deleted")]
    public static partial void ShortSegmentDeleted(ILogger logger, string path, long length);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error,
        Message = "Message store segment {Path} skipped, its header is unreadable: {Problem}. The file is left in place")]
    public static partial void SegmentHeaderUnreadable(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning,
        Message = "Message store segment {Path}: truncated {DroppedBytes} bytes after the last valid record, which ends at offset {ValidLength} (a write torn by a crash, or garbage)")]
    public static partial void TailTruncated(ILogger logger, string path, long validLength, long droppedBytes);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error,
        Message = "Message store segment {Path}: the record at offset {Offset} ({Length} bytes) fails its checksum; skipped")]
    public static partial void CorruptRecordSkipped(ILogger logger, string path, long offset, long length);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error,
        Message = "Message store segment {Path}: {Length} bytes from offset {Offset} hold no valid record; skipped to the next valid record")]
    public static partial void UnreadableBytesSkipped(ILogger logger, string path, long offset, long length);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error,
        Message = "Message store segment {Path}: the record at offset {Offset} is malformed ({Problem}); skipped")]
    public static partial void MalformedRecordSkipped(ILogger logger, string path, long offset, string problem);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error,
        Message = "Message store segment {Path}: the record at offset {Offset} names queue id {LocalQueueId}, whose name record is missing (damaged?); skipped")]
    public static partial void UnknownQueueSkipped(ILogger logger, string path, long offset, uint localQueueId);

    [LoggerMessage(EventId = 108, Level = LogLevel.Error,
        Message = "Message store segment {Path}: the record at offset {Offset} is beyond the 4 GiB a segment can index; the rest of the file is ignored")]
    public static partial void SegmentTooLong(ILogger logger, string path, long offset);

    [LoggerMessage(EventId = 109, Level = LogLevel.Error,
        Message = "Message store segment {Path} could not be read; what was read of it is used, and it is kept")]
    public static partial void SegmentUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Message store segment {Path} deleted: nothing in it is needed any more")]
    public static partial void SegmentDeleted(ILogger logger, string path);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug,
        Message = "Message store segment {Path}: copied {Messages} live messages ({Bytes} bytes) forward so that it can be deleted")]
    public static partial void SegmentCompacted(ILogger logger, string path, int messages, long bytes);

    [LoggerMessage(EventId = 120, Level = LogLevel.Critical,
        Message = "Message store {Directory}: a write or fsync failed; the store refuses further writes, restart to recover what is on disk")]
    public static partial void WriterFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 121, Level = LogLevel.Error,
        Message = "Message store: message {MessageId} of queue '{Queue}' in {Path} at offset {Offset} cannot be read back or fails its checksum; not recovered")]
    public static partial void CorruptMessageNotRecovered(ILogger logger, string queue, ulong messageId, string path, long offset, Exception? exception);

    [LoggerMessage(EventId = 122, Level = LogLevel.Error,
        Message = "Message store: deleting segment {Path} failed; will try again")]
    public static partial void SegmentDeleteFailed(ILogger logger, string path, Exception exception);
}
