using System.Buffers.Binary;
using System.Text;
using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// The on-disk format of the message store's segment files, version 1: how records are framed, encoded
/// and checked. Everything that puts bytes into a segment goes through here.
/// </summary>
/// <remarks>
/// <para><b>Files.</b> A store directory holds segment files named by a 10-digit decimal segment number,
/// <c>0000000001.seg</c>, <c>0000000002.seg</c>, ..., and a <c>lock</c> file that one open store holds
/// exclusively. Segment numbers only grow; the order of all records in the store is the order of
/// segment numbers, then file offsets. Only the segment with the highest number is ever written to (the
/// active segment); every open starts a new one, so files of earlier runs are never appended to again.
/// A segment holds at most <c>SegmentSize</c> bytes, except that a record larger than that is written
/// alone into a segment of its own.</para>
///
/// <para><b>Segment header</b>, 16 bytes at offset 0:</para>
/// <code>
///   0   8  magic "OBMSGSEG" (ASCII)
///   8   4  format version, u32 little-endian, = 1
///  12   4  CRC-32C of bytes 0..12
/// </code>
///
/// <para><b>Records</b> follow back to back from offset 16. All integers are little-endian.</para>
/// <code>
///   0   4  payload length L, u32, 1 &lt;= L &lt;= MaxPayloadLength
///   4   4  CRC-32C of the payload
///   8   4  header check: CRC-32C of (the record's file offset as u64 ‖ bytes 0..8)
///  12   L  payload; its first byte is the record type
/// </code>
/// <para>Payloads by type (queue = a u32 id local to the segment, see type 1):</para>
/// <code>
///   1 queue name    u8 type | u32 queue | queue key, UTF-8 (rest of payload)
///   2 append        u8 type | u32 queue | u64 message id | u8 flags (bit 0: delivered)
///                   | u16 n | exchange, n bytes UTF-8 | u16 n | routing key, n bytes UTF-8
///                   | u32 n | properties, n bytes (the raw AMQP content-header property bytes)
///                   | body (rest of payload)
///   3 delivered     u8 type | u32 queue | u64 message id × (L - 5) / 8
///   4 removed       u8 type | u32 queue | u64 message id × (L - 5) / 8
///   5 queue deleted u8 type | u32 queue
/// </code>
///
/// <para><b>Invariants.</b> A segment is self-describing: a queue's name record precedes, in the same
/// segment, every record that uses its local id, so any segment can be read (or deleted) without the
/// others. Records are applied in store order: an append makes (queue key, message id) live (again, if the
/// id was live already: compaction copies a live message forward with its delivered flag, and the later
/// copy wins); delivered sets the flag of live ids; removed and queue deleted end them. A removed or
/// delivered record names only ids that were live when it was written, so its presence on disk matters
/// only while the segment holding those appends exists.</para>
///
/// <para><b>Why two checksums.</b> The header check covers the length, so a damaged payload with an intact
/// header is skipped exactly (L tells where the next record starts), and a damaged length is detected
/// instead of being followed into the middle of other data. It includes the record's own offset, so the
/// bytes of a valid record that sit at another offset (inside a message body, say, or left over from
/// anything) do not pass for a record there when recovery searches for the next record after damage.</para>
///
/// <para><b>Crash semantics.</b> Records are written with positional writes at the end of the active
/// segment and fsynced in groups; a crash can leave a torn last record (short, or with zeroes or stale
/// bytes where the OS had not written yet). Recovery keeps every record whose checks pass, skips damaged
/// ones (logged; such a segment is then kept as it is for inspection, never deleted by the store), and
/// truncates the file after its last valid record. A file shorter than its header is
/// the remains of a crash while the segment was being created (the header is fsynced before any record is
/// written there) and is deleted; a file whose header is damaged or of an unknown version is logged and
/// left alone.</para>
/// </remarks>
internal static class SegmentFormat
{
    public const uint Version = 1;
    public const int SegmentHeaderLength = 16;
    public const int RecordHeaderLength = 12;
    public const int MaxPayloadLength = int.MaxValue - RecordHeaderLength;
    public const string SegmentFileExtension = ".seg";
    public const string LockFileName = "lock";

    /// <summary>Digits of the segment number in a file name: enough for every u32.</summary>
    private const int SegmentFileNameDigits = 10;

    /// <summary>Type, local queue id, message id, flags: what recovery reads of an append without its strings and body.</summary>
    public const int AppendPrefixLength = 1 + 4 + 8 + 1;

    private const int IdListPrefixLength = 1 + 4;
    private const byte DeliveredFlag = 1;

    private static ReadOnlySpan<byte> Magic => "OBMSGSEG"u8;

    /// <summary>Strict: a key, exchange or routing key that is not valid Unicode is refused rather than stored altered.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string SegmentFileName(uint number) =>
        number.ToString("D" + SegmentFileNameDigits, System.Globalization.CultureInfo.InvariantCulture) + SegmentFileExtension;

    public static bool TryParseSegmentFileName(string fileName, out uint number)
    {
        number = 0;
        return fileName.Length == SegmentFileNameDigits + SegmentFileExtension.Length
            && fileName.EndsWith(SegmentFileExtension, StringComparison.Ordinal)
            && fileName.AsSpan(0, SegmentFileNameDigits).ContainsOnlyDigits()
            && uint.TryParse(fileName.AsSpan(0, SegmentFileNameDigits), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out number);
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    public static void WriteSegmentHeader(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Crc32C.Compute(destination[..12]));
    }

    /// <summary>Null when the header is good, otherwise why it is not.</summary>
    public static string? CheckSegmentHeader(ReadOnlySpan<byte> header)
    {
        if (!header[..8].SequenceEqual(Magic))
        {
            return "not a message store segment (wrong magic bytes)";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Crc32C.Compute(header[..12]))
        {
            return "header checksum mismatch";
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        return version == Version ? null : $"unknown format version {version} (this build reads {Version})";
    }

    /// <summary>
    /// Fills in the header of a record whose payload is already at <c>record[RecordHeaderLength..]</c>,
    /// for the file offset the record will be written at.
    /// </summary>
    public static void SealRecord(Span<byte> record, long fileOffset)
    {
        var payload = record[RecordHeaderLength..];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], HeaderCheck(record, fileOffset));
    }

    /// <summary>Whether <paramref name="header"/> is a record header written for <paramref name="fileOffset"/>; if so, its payload length and checksum.</summary>
    public static bool TryReadRecordHeader(ReadOnlySpan<byte> header, long fileOffset, out int payloadLength, out uint payloadChecksum)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        payloadChecksum = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        payloadLength = (int)Math.Min(length, int.MaxValue);
        return length is >= 1 and <= MaxPayloadLength
            && BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == HeaderCheck(header, fileOffset);
    }

    private static uint HeaderCheck(ReadOnlySpan<byte> header, long fileOffset)
    {
        Span<byte> offset = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(offset, (ulong)fileOffset);
        return Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, offset), header[..8]));
    }

    public static int QueueNamePayloadLength(byte[] encodedKey) => 1 + 4 + encodedKey.Length;

    public static void WriteQueueNamePayload(Span<byte> payload, uint queue, byte[] encodedKey)
    {
        payload[0] = (byte)RecordType.QueueName;
        BinaryPrimitives.WriteUInt32LittleEndian(payload[1..], queue);
        encodedKey.CopyTo(payload[5..]);
    }

    /// <summary>Payload length of an append, or an exception naming what does not fit the format.</summary>
    public static int AppendPayloadLength(in StoredMessage message)
    {
        var exchange = Utf8.GetByteCount(message.Exchange);
        var routingKey = Utf8.GetByteCount(message.RoutingKey);
        if (exchange > ushort.MaxValue)
        {
            throw new ArgumentException($"Exchange name of message {message.Id} is {exchange} bytes; at most {ushort.MaxValue} can be stored.");
        }

        if (routingKey > ushort.MaxValue)
        {
            throw new ArgumentException($"Routing key of message {message.Id} is {routingKey} bytes; at most {ushort.MaxValue} can be stored.");
        }

        var length = (long)AppendPrefixLength + 2 + exchange + 2 + routingKey + 4 + message.Properties.Length + message.Body.Length;
        if (length > MaxPayloadLength)
        {
            throw new ArgumentException($"Message {message.Id} is {length} bytes; at most {MaxPayloadLength} can be stored.");
        }

        return (int)length;
    }

    public static void WriteAppendPayload(Span<byte> payload, uint queue, in StoredMessage message, bool delivered)
    {
        payload[0] = (byte)RecordType.Append;
        BinaryPrimitives.WriteUInt32LittleEndian(payload[1..], queue);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[5..], message.Id);
        payload[13] = delivered ? DeliveredFlag : (byte)0;
        var rest = payload[AppendPrefixLength..];
        rest = WriteString16(rest, message.Exchange);
        rest = WriteString16(rest, message.RoutingKey);
        BinaryPrimitives.WriteUInt32LittleEndian(rest, (uint)message.Properties.Length);
        message.Properties.Span.CopyTo(rest[4..]);
        message.Body.Span.CopyTo(rest[(4 + message.Properties.Length)..]);
    }

    private static Span<byte> WriteString16(Span<byte> destination, string value)
    {
        var length = Utf8.GetBytes(value, destination[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)length);
        return destination[(2 + length)..];
    }

    public static int IdListPayloadLength(int count) => IdListPrefixLength + count * sizeof(ulong);

    public static void WriteIdListPayload(Span<byte> payload, RecordType type, uint queue, ReadOnlySpan<ulong> ids)
    {
        payload[0] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(payload[1..], queue);
        var destination = payload[IdListPrefixLength..];
        foreach (var id in ids)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, id);
            destination = destination[sizeof(ulong)..];
        }
    }

    public const int QueueDeletedPayloadLength = 1 + 4;

    public static void WriteQueueDeletedPayload(Span<byte> payload, uint queue)
    {
        payload[0] = (byte)RecordType.QueueDeleted;
        BinaryPrimitives.WriteUInt32LittleEndian(payload[1..], queue);
    }

    // Reading. Payloads come here only after their checksum matched, so a malformed one means a bug or a
    // file written by something else: it is reported as InvalidDataException and handled like damage.

    public static RecordType ReadType(ReadOnlySpan<byte> payload) => (RecordType)payload[0];

    /// <summary>The local queue id every record type carries after its type byte.</summary>
    public static uint ReadQueue(ReadOnlySpan<byte> payload)
    {
        Require(payload.Length >= 5, "record too short for its queue id");
        return BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]);
    }

    public static string ReadQueueName(ReadOnlySpan<byte> payload)
    {
        Require(ReadType(payload) == RecordType.QueueName && payload.Length >= 5, "malformed queue name record");
        return DecodeString(payload[5..]);
    }

    /// <summary>Message id and delivered flag from the first <see cref="AppendPrefixLength"/> bytes of an append payload.</summary>
    public static (ulong Id, bool Delivered) ReadAppendPrefix(ReadOnlySpan<byte> payloadPrefix)
    {
        Require(payloadPrefix.Length >= AppendPrefixLength && ReadType(payloadPrefix) == RecordType.Append, "malformed append record");
        return (BinaryPrimitives.ReadUInt64LittleEndian(payloadPrefix[5..]), (payloadPrefix[13] & DeliveredFlag) != 0);
    }

    /// <summary>The message of an append payload; properties and body are slices of <paramref name="record"/>, not copies.</summary>
    public static StoredMessage ReadAppendMessage(ReadOnlyMemory<byte> record)
    {
        var payload = record[RecordHeaderLength..];
        var span = payload.Span;
        var (id, _) = ReadAppendPrefix(span);
        var position = AppendPrefixLength;
        var exchange = ReadString16(span, ref position);
        var routingKey = ReadString16(span, ref position);
        Require(span.Length - position >= 4, "append record too short for its properties length");
        var propertiesLength = BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
        position += 4;
        Require(propertiesLength <= (uint)(span.Length - position), "append record too short for its properties");
        var properties = payload.Slice(position, (int)propertiesLength);
        var body = payload[(position + (int)propertiesLength)..];
        return new StoredMessage(id, exchange, routingKey, properties, body);
    }

    private static string ReadString16(ReadOnlySpan<byte> payload, ref int position)
    {
        Require(payload.Length - position >= 2, "append record too short for a string length");
        int length = BinaryPrimitives.ReadUInt16LittleEndian(payload[position..]);
        position += 2;
        Require(payload.Length - position >= length, "append record too short for a string");
        var value = DecodeString(payload.Slice(position, length));
        position += length;
        return value;
    }

    private static string DecodeString(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw new InvalidDataException("string in record is not valid UTF-8", exception);
        }
    }

    /// <summary>The message ids of a delivered or removed payload, as little-endian u64s.</summary>
    public static ReadOnlySpan<byte> ReadIdList(ReadOnlySpan<byte> payload)
    {
        Require(payload.Length >= IdListPrefixLength && (payload.Length - IdListPrefixLength) % sizeof(ulong) == 0,
            "malformed id list record");
        return payload[IdListPrefixLength..];
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidDataException(problem);
        }
    }
}
