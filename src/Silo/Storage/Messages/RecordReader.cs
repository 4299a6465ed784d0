using Microsoft.Win32.SafeHandles;
using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// Reads one append record back by its location and checks it again: bytes that rotted on disk since
/// startup are reported, never handed out as a message.
/// </summary>
internal static class RecordReader
{
    /// <summary>
    /// The message at <paramref name="location"/>; its properties and body share one array with the record.
    /// Throws <see cref="InvalidDataException"/> when the record does not check out.
    /// </summary>
    public static async ValueTask<StoredMessage> ReadMessageAsync(SafeFileHandle file, MessageLocation location, CancellationToken cancellationToken)
    {
        var record = new byte[location.Length];
        var filled = 0;
        while (filled < record.Length)
        {
            var read = await RandomAccess.ReadAsync(file, record.AsMemory(filled), location.Offset + filled, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException($"the segment ends inside the record ({filled} of {record.Length} bytes)");
            }

            filled += read;
        }

        return Decode(record, location);
    }

    public static StoredMessage Decode(byte[] record, MessageLocation location)
    {
        if (!SegmentFormat.TryReadRecordHeader(record, location.Offset, out var payloadLength, out var payloadChecksum)
            || SegmentFormat.RecordHeaderLength + payloadLength != record.Length)
        {
            throw new InvalidDataException("the record header does not check out");
        }

        if (Crc32C.Compute(record.AsSpan(SegmentFormat.RecordHeaderLength)) != payloadChecksum)
        {
            throw new InvalidDataException("the record payload fails its checksum");
        }

        return SegmentFormat.ReadAppendMessage(record);
    }

    public static SafeFileHandle Open(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
}
