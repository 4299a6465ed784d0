using System.Buffers.Binary;
using System.Collections;

namespace OrleansBroker.Amqp;

/// <summary>
/// Field tables and arrays. Values decoded by <see cref="AmqpReader"/> are written back with the tag they were
/// read with; natural .NET values get the tag RabbitMQ's clients use: string 'S', bool 't', sbyte 'b', byte 'B',
/// short 's', ushort 'u', int 'I', uint 'i', long 'l', float 'f', double 'd', decimal and <see cref="AmqpDecimal"/>
/// 'D', <see cref="AmqpTimestamp"/> 'T', byte[] 'x', <see cref="FieldTable"/> or a sequence of string-keyed pairs
/// 'F', any other list 'A', null 'V'. Anything else throws <see cref="ArgumentException"/>.
/// </summary>
public ref partial struct AmqpWriter
{
    /// <summary>A field table; null is written as the empty table.</summary>
    public void WriteTable(FieldTable? table) => WriteTableEntries(table ?? FieldTable.Empty, depth: 1);

    /// <summary>A field table from string-keyed pairs, in their enumeration order (a Dictionary, say).</summary>
    public void WriteTable(IEnumerable<KeyValuePair<string, object?>>? entries) => WriteTableEntries(entries ?? FieldTable.Empty, depth: 1);

    /// <summary>One field value: its type tag, then the value.</summary>
    public void WriteFieldValue(object? value) => WriteFieldValue(value, depth: 1);

    private void WriteTableEntries(IEnumerable<KeyValuePair<string, object?>> entries, int depth)
    {
        AmqpSizes.CheckDepth(depth);

        // The length prefix is filled in afterwards: one pass over the values, not a sizing pass and a writing pass.
        var lengthIndex = _written;
        Reserve(4);
        foreach (var (key, value) in entries)
        {
            WriteShortString(key);
            WriteFieldValue(value, depth);
        }

        BinaryPrimitives.WriteUInt32BigEndian(_destination[lengthIndex..], (uint)(_written - lengthIndex - 4));
    }

    private void WriteArrayItems(IEnumerable items, int depth)
    {
        AmqpSizes.CheckDepth(depth);
        var lengthIndex = _written;
        Reserve(4);
        foreach (var item in items)
        {
            WriteFieldValue(item, depth);
        }

        BinaryPrimitives.WriteUInt32BigEndian(_destination[lengthIndex..], (uint)(_written - lengthIndex - 4));
    }

    // Keep the cases in the order of AmqpSizes.FieldValue: the two must agree on every type.
    private void WriteFieldValue(object? value, int depth)
    {
        switch (value)
        {
            case null:
                WriteOctet(FieldValueTags.Void);
                break;
            case string text:
                WriteOctet(FieldValueTags.LongString);
                WriteLongString(text);
                break;
            case AmqpLongString longString:
                WriteOctet(FieldValueTags.LongString);
                WriteLongString(longString.Bytes);
                break;
            case bool flag:
                WriteOctet(FieldValueTags.Boolean);
                WriteOctet(flag ? (byte)1 : (byte)0);
                break;
            case sbyte number:
                WriteOctet(FieldValueTags.SignedByte);
                WriteOctet((byte)number);
                break;
            case byte number:
                WriteOctet(FieldValueTags.UnsignedByte);
                WriteOctet(number);
                break;
            case short number:
                WriteOctet(FieldValueTags.SignedShort);
                WriteShort((ushort)number);
                break;
            case ushort number:
                WriteOctet(FieldValueTags.UnsignedShort);
                WriteShort(number);
                break;
            case int number:
                WriteOctet(FieldValueTags.SignedInt);
                WriteLong((uint)number);
                break;
            case uint number:
                WriteOctet(FieldValueTags.UnsignedInt);
                WriteLong(number);
                break;
            case long number:
                WriteOctet(FieldValueTags.SignedLong);
                WriteLongLong((ulong)number);
                break;
            case float number:
                WriteOctet(FieldValueTags.Float);
                BinaryPrimitives.WriteSingleBigEndian(Reserve(4), number);
                break;
            case double number:
                WriteOctet(FieldValueTags.Double);
                BinaryPrimitives.WriteDoubleBigEndian(Reserve(8), number);
                break;
            case AmqpDecimal number:
                WriteDecimal(number);
                break;
            case decimal number:
                WriteDecimal(AmqpDecimal.FromDecimal(number));
                break;
            case AmqpTimestamp timestamp:
                WriteOctet(FieldValueTags.Timestamp);
                WriteLongLong(timestamp.UnixSeconds);
                break;
            case byte[] bytes:
                WriteOctet(FieldValueTags.Binary);
                WriteLongString(bytes);
                break;
            case IEnumerable<KeyValuePair<string, object?>> table:
                WriteOctet(FieldValueTags.Table);
                WriteTableEntries(table, depth + 1);
                break;
            case IEnumerable items when value is IReadOnlyList<object?> or IList:
                WriteOctet(FieldValueTags.Array);
                WriteArrayItems(items, depth + 1);
                break;
            default:
                throw AmqpSizes.NoFieldType(value);
        }
    }

    private void WriteDecimal(AmqpDecimal number)
    {
        WriteOctet(FieldValueTags.Decimal);
        WriteOctet(number.Scale);
        WriteLong((uint)number.Value);
    }
}
