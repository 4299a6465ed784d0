using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// Reads a segment file from start to end at startup and applies its records to the index: the one pass
/// over the data that recovery makes. Bodies are read only to check their checksum, never kept.
/// </summary>
/// <remarks>
/// Crash semantics, record by record (see <see cref="SegmentFormat"/> for why the checks can tell):
/// <list type="bullet">
/// <item>header and payload check out: applied.</item>
/// <item>header checks out, payload does not: the record is damaged; skipped (logged), and reading goes on
/// after it, since its length is known good.</item>
/// <item>header does not check out (a torn write, zeroes, garbage, a damaged length): the bytes from there are
/// searched for the next offset holding a complete valid record; reading resumes there (the bytes in
/// between logged as skipped) or, if there is none, stops.</item>
/// <item>a record running past the end of the file: torn; reading stops.</item>
/// </list>
/// Everything after the last valid record is truncated away (logged), so the file ends on a record boundary.
/// A segment in which anything before that was skipped is marked damaged and kept as it is (see
/// <see cref="SegmentState.Damaged"/>). A file shorter than a segment header is deleted; one with a bad
/// header is logged and skipped, untouched.
/// </remarks>
internal sealed class SegmentScanner(MessageIndex index, ILogger logger)
{
    private const int WindowCapacity = 1 << 20;

    private readonly FileWindow _window = new(WindowCapacity);
    private readonly Dictionary<uint, string> _localQueues = [];
    private bool _damaged;

    /// <summary>Scans one segment into the index; false if the file was skipped or deleted instead.</summary>
    public bool Scan(uint number, string path)
    {
        long validLength;
        long fileLength;
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete))
        {
            fileLength = RandomAccess.GetLength(file);
            if (fileLength < SegmentFormat.SegmentHeaderLength)
            {
                MessageStoreLog.ShortSegmentDeleted(logger, path, fileLength);
                file.Dispose();
                File.Delete(path);
                return false;
            }

            _window.Attach(file, fileLength);
            var problem = SegmentFormat.CheckSegmentHeader(_window.Read(0, SegmentFormat.SegmentHeaderLength));
            if (problem is not null)
            {
                MessageStoreLog.SegmentHeaderUnreadable(logger, path, problem);
                return false;
            }

            var segment = index.AddSegment(number, path, fileLength);
            _damaged = false;
            validLength = ReadRecords(number, path, fileLength);
            segment.Damaged = _damaged;
            if (validLength < fileLength)
            {
                RandomAccess.SetLength(file, validLength);
                RandomAccess.FlushToDisk(file);
            }
        }

        if (validLength < fileLength)
        {
            index.FindSegment(number)!.Length = validLength;
            MessageStoreLog.TailTruncated(logger, path, validLength, fileLength - validLength);
        }

        return true;
    }

    /// <summary>Applies the records and returns the offset just past the last valid one.</summary>
    private long ReadRecords(uint number, string path, long fileLength)
    {
        _localQueues.Clear();
        long offset = SegmentFormat.SegmentHeaderLength;
        var validLength = offset;
        while (offset + SegmentFormat.RecordHeaderLength <= fileLength)
        {
            if (offset > uint.MaxValue)
            {
                _damaged = true;
                MessageStoreLog.SegmentTooLong(logger, path, offset);
                return fileLength;
            }

            var header = _window.Read(offset, SegmentFormat.RecordHeaderLength);
            if (!SegmentFormat.TryReadRecordHeader(header, offset, out var payloadLength, out var payloadChecksum))
            {
                var next = FindNextRecord(offset + 1, fileLength);
                if (next < 0)
                {
                    break;
                }

                _damaged = true;
                MessageStoreLog.UnreadableBytesSkipped(logger, path, offset, next - offset);
                offset = next;
                continue;
            }

            var recordLength = SegmentFormat.RecordHeaderLength + (long)payloadLength;
            if (offset + recordLength > fileLength)
            {
                break;
            }

            if (PayloadChecksum(offset + SegmentFormat.RecordHeaderLength, payloadLength) != payloadChecksum)
            {
                _damaged = true;
                MessageStoreLog.CorruptRecordSkipped(logger, path, offset, recordLength);
            }
            else
            {
                try
                {
                    Apply(number, path, offset, payloadLength);
                }
                catch (InvalidDataException exception)
                {
                    _damaged = true;
                    MessageStoreLog.MalformedRecordSkipped(logger, path, offset, exception.Message);
                }

                validLength = offset + recordLength;
            }

            offset += recordLength;
        }

        return validLength;
    }

    /// <summary>The first offset from <paramref name="from"/> on holding a complete record whose checks pass, or -1.</summary>
    private long FindNextRecord(long from, long fileLength)
    {
        for (var offset = from; offset + SegmentFormat.RecordHeaderLength <= fileLength && offset <= uint.MaxValue; offset++)
        {
            var header = _window.Read(offset, SegmentFormat.RecordHeaderLength);
            if (SegmentFormat.TryReadRecordHeader(header, offset, out var payloadLength, out var payloadChecksum)
                && offset + SegmentFormat.RecordHeaderLength + payloadLength <= fileLength
                && PayloadChecksum(offset + SegmentFormat.RecordHeaderLength, payloadLength) == payloadChecksum)
            {
                return offset;
            }
        }

        return -1;
    }

    /// <summary>The checksum of a payload read in window-sized pieces, so a large body is never held whole.</summary>
    private uint PayloadChecksum(long offset, int length)
    {
        var running = Crc32C.Start;
        for (var done = 0; done < length;)
        {
            var piece = Math.Min(length - done, _window.Capacity);
            running = Crc32C.Append(running, _window.Read(offset + done, piece));
            done += piece;
        }

        return Crc32C.Finish(running);
    }

    private void Apply(uint number, string path, long offset, int payloadLength)
    {
        var payloadOffset = offset + SegmentFormat.RecordHeaderLength;
        var recordLength = SegmentFormat.RecordHeaderLength + payloadLength;
        var type = SegmentFormat.ReadType(_window.Read(payloadOffset, 1));
        if (type == RecordType.Append)
        {
            // Only the prefix: the strings and the body are read back when the queue recovers.
            var prefix = _window.Read(payloadOffset, Math.Min(payloadLength, SegmentFormat.AppendPrefixLength));
            var (id, delivered) = SegmentFormat.ReadAppendPrefix(prefix);
            if (QueueOf(prefix, path, offset) is { } appendQueue)
            {
                index.Append(appendQueue, id, new MessageLocation(number, (uint)offset, recordLength, delivered));
            }

            return;
        }

        var payload = _window.Read(payloadOffset, payloadLength);
        switch (type)
        {
            case RecordType.QueueName:
                _localQueues[SegmentFormat.ReadQueue(payload)] = SegmentFormat.ReadQueueName(payload);
                break;
            case RecordType.Delivered or RecordType.Removed:
                var ids = SegmentFormat.ReadIdList(payload);
                if (QueueOf(payload, path, offset) is not { } queue)
                {
                    break;
                }

                for (; !ids.IsEmpty; ids = ids[sizeof(ulong)..])
                {
                    var id = BinaryPrimitives.ReadUInt64LittleEndian(ids);
                    _ = type == RecordType.Delivered ? index.MarkDelivered(queue, id, number) : index.Remove(queue, id, number);
                }

                break;
            case RecordType.QueueDeleted:
                if (QueueOf(payload, path, offset) is { } deleted)
                {
                    index.DeleteQueue(deleted, number);
                }

                break;
            default:
                throw new InvalidDataException($"unknown record type {(byte)type}");
        }
    }

    private string? QueueOf(ReadOnlySpan<byte> payload, string path, long offset)
    {
        var localId = SegmentFormat.ReadQueue(payload);
        if (_localQueues.TryGetValue(localId, out var queue))
        {
            return queue;
        }

        _damaged = true;
        MessageStoreLog.UnknownQueueSkipped(logger, path, offset, localId);
        return null;
    }
}
