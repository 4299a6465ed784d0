using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace OrleansBroker.Amqp;

/// <summary>Field tables and arrays, decoded to the value model of <see cref="FieldTable"/>.</summary>
public ref partial struct AmqpReader
{
    // Boxed once: booleans are common in tables (client capabilities) and need no fresh box each time.
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    /// <summary>A field table; <see cref="FieldTable.Empty"/> (no allocation) when it has no entries.</summary>
    public FieldTable ReadTable() => DecodeTable(ReadLongStringSpan(), depth: 1);

    /// <summary>Steps over a field table, checking that it decodes, without materialising it.</summary>
    public void SkipTable() => ValidateTable(ReadLongStringSpan(), depth: 1);

    /// <summary>One field value: its type tag, then the value.</summary>
    public object? ReadFieldValue() => ReadFieldValue(depth: 1);

    private object? ReadFieldValue(int depth)
    {
        var tag = ReadOctet();
        switch (tag)
        {
            case FieldValueTags.Boolean: return ReadOctet() != 0 ? BoxedTrue : BoxedFalse;
            case FieldValueTags.SignedByte: return (sbyte)ReadOctet();
            case FieldValueTags.UnsignedByte: return ReadOctet();
            case FieldValueTags.SignedShort: return (short)ReadShort();
            case FieldValueTags.UnsignedShort: return ReadShort();
            case FieldValueTags.SignedInt: return (int)ReadLong();
            case FieldValueTags.UnsignedInt: return ReadLong();
            case FieldValueTags.SignedLong:
            case FieldValueTags.SignedLongAlias: return (long)ReadLongLong();
            case FieldValueTags.Decimal:
                var scale = ReadOctet();
                return new AmqpDecimal(scale, (int)ReadLong());
            case FieldValueTags.Float: return ReadFloat();
            case FieldValueTags.Double: return ReadDouble();
            case FieldValueTags.LongString:
                var text = ReadLongStringSpan();
                if (text.IsEmpty)
                {
                    return string.Empty;
                }

                return Utf8.IsValid(text) ? Encoding.UTF8.GetString(text) : new AmqpLongString(text.ToArray());
            case FieldValueTags.Binary: return ReadLongStringBytes();
            case FieldValueTags.Array: return DecodeArray(ReadLongStringSpan(), depth + 1);
            case FieldValueTags.Timestamp: return new AmqpTimestamp(ReadLongLong());
            case FieldValueTags.Table: return DecodeTable(ReadLongStringSpan(), depth + 1);
            case FieldValueTags.Void: return null;
            default: throw UnknownTag(tag);
        }
    }

    private static FieldTable DecodeTable(ReadOnlySpan<byte> body, int depth)
    {
        if (body.IsEmpty)
        {
            return FieldTable.Empty;
        }

        CheckDepth(depth);

        // Count first so the entry array is allocated once at its final size.
        var entries = new KeyValuePair<string, object?>[CountTableEntries(body)];
        var reader = new AmqpReader(body);
        for (var i = 0; i < entries.Length; i++)
        {
            var key = reader.ReadShortString();
            entries[i] = new KeyValuePair<string, object?>(key, reader.ReadFieldValue(depth));
        }

        return new FieldTable(entries);
    }

    private static List<object?> DecodeArray(ReadOnlySpan<byte> body, int depth)
    {
        CheckDepth(depth);
        var items = new List<object?>(CountArrayItems(body));
        var reader = new AmqpReader(body);
        while (reader.Remaining > 0)
        {
            items.Add(reader.ReadFieldValue(depth));
        }

        return items;
    }

    // Shallow: nested tables and arrays are stepped over by their length; they are checked when decoded.
    private static int CountTableEntries(ReadOnlySpan<byte> body)
    {
        var reader = new AmqpReader(body);
        var count = 0;
        while (reader.Remaining > 0)
        {
            reader.SkipShortString();
            reader.SkipFieldValue(depth: 0, deep: false);
            count++;
        }

        return count;
    }

    private static int CountArrayItems(ReadOnlySpan<byte> body)
    {
        var reader = new AmqpReader(body);
        var count = 0;
        while (reader.Remaining > 0)
        {
            reader.SkipFieldValue(depth: 0, deep: false);
            count++;
        }

        return count;
    }

    private static void ValidateTable(ReadOnlySpan<byte> body, int depth)
    {
        if (body.IsEmpty)
        {
            return;
        }

        CheckDepth(depth);
        var reader = new AmqpReader(body);
        while (reader.Remaining > 0)
        {
            reader.SkipShortString();
            reader.SkipFieldValue(depth, deep: true);
        }
    }

    private static void ValidateArray(ReadOnlySpan<byte> body, int depth)
    {
        CheckDepth(depth);
        var reader = new AmqpReader(body);
        while (reader.Remaining > 0)
        {
            reader.SkipFieldValue(depth, deep: true);
        }
    }

    private void SkipFieldValue(int depth, bool deep)
    {
        var tag = ReadOctet();
        switch (tag)
        {
            case FieldValueTags.Boolean:
            case FieldValueTags.SignedByte:
            case FieldValueTags.UnsignedByte:
                Take(1);
                break;
            case FieldValueTags.SignedShort:
            case FieldValueTags.UnsignedShort:
                Take(2);
                break;
            case FieldValueTags.SignedInt:
            case FieldValueTags.UnsignedInt:
                Take(4);
                break;
            case FieldValueTags.Float:
                ReadFloat();
                break;
            case FieldValueTags.Decimal:
                Take(5);
                break;
            case FieldValueTags.SignedLong:
            case FieldValueTags.SignedLongAlias:
            case FieldValueTags.Timestamp:
                Take(8);
                break;
            case FieldValueTags.Double:
                ReadDouble();
                break;
            case FieldValueTags.LongString:
            case FieldValueTags.Binary:
                SkipLongString();
                break;
            case FieldValueTags.Array:
                var array = ReadLongStringSpan();
                if (deep)
                {
                    ValidateArray(array, depth + 1);
                }

                break;
            case FieldValueTags.Table:
                var table = ReadLongStringSpan();
                if (deep)
                {
                    ValidateTable(table, depth + 1);
                }

                break;
            case FieldValueTags.Void:
                break;
            default:
                throw UnknownTag(tag);
        }
    }

    // Erlang's bit syntax does not match NaN or infinities, so RabbitMQ cannot decode them either.
    private float ReadFloat()
    {
        var value = BinaryPrimitives.ReadSingleBigEndian(Take(4));
        return float.IsFinite(value) ? value : throw new AmqpFormatException($"field value 'f' is not a finite number ({value})");
    }

    private double ReadDouble()
    {
        var value = BinaryPrimitives.ReadDoubleBigEndian(Take(8));
        return double.IsFinite(value) ? value : throw new AmqpFormatException($"field value 'd' is not a finite number ({value})");
    }

    private static void CheckDepth(int depth)
    {
        if (depth > FieldValueTags.MaxNestingDepth)
        {
            throw new AmqpFormatException($"field tables and arrays nested deeper than {FieldValueTags.MaxNestingDepth} levels");
        }
    }

    private static AmqpFormatException UnknownTag(byte tag) =>
        new(tag is >= 0x20 and < 0x7F
            ? $"unknown field value type '{(char)tag}'"
            : $"unknown field value type 0x{tag:X2}");
}
