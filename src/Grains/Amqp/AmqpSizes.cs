using System.Collections;
using System.Text;

namespace OrleansBroker.Amqp;

/// <summary>
/// Encoded sizes, in octets, of what <see cref="AmqpWriter"/> writes, so a caller can size a buffer exactly
/// before writing. Null strings, byte arrays and tables count as empty ones.
/// </summary>
public static class AmqpSizes
{
    public const int Octet = 1;
    public const int Short = 2;
    public const int Long = 4;
    public const int LongLong = 8;

    /// <summary>Octets taken by <paramref name="count"/> consecutive bit fields.</summary>
    public static int Bits(int count) => (count + 7) / 8;

    public static int ShortString(string? value) => 1 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    public static int LongString(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    public static int LongString(ReadOnlySpan<byte> value) => 4 + value.Length;

    public static int Table(FieldTable? table) => table is null ? 4 : TableEntries(table, depth: 1);

    public static int Table(IEnumerable<KeyValuePair<string, object?>>? entries) => entries is null ? 4 : TableEntries(entries, depth: 1);

    /// <summary>A field value with its type tag.</summary>
    public static int FieldValue(object? value) => FieldValue(value, depth: 1);

    internal static void CheckDepth(int depth)
    {
        if (depth > FieldValueTags.MaxNestingDepth)
        {
            throw new ArgumentException($"field tables and arrays nested deeper than {FieldValueTags.MaxNestingDepth} levels (a cycle?)");
        }
    }

    internal static ArgumentException NoFieldType(object value) =>
        new($"no AMQP field value type for {value.GetType()}", nameof(value));

    private static int TableEntries(IEnumerable<KeyValuePair<string, object?>> entries, int depth)
    {
        CheckDepth(depth);
        var size = 4;
        foreach (var (key, value) in entries)
        {
            size += ShortString(key) + FieldValue(value, depth);
        }

        return size;
    }

    private static int ArrayItems(IEnumerable items, int depth)
    {
        CheckDepth(depth);
        var size = 4;
        foreach (var item in items)
        {
            size += FieldValue(item, depth);
        }

        return size;
    }

    // Converting checks that the decimal fits, so sizing fails where writing would.
    private static int DecimalSize(decimal number)
    {
        AmqpDecimal.FromDecimal(number);
        return 5;
    }

    // Keep the cases in the order of AmqpWriter.WriteFieldValue: the two must agree on every type.
    private static int FieldValue(object? value, int depth) => 1 + value switch
    {
        null => 0,
        string text => LongString(text),
        AmqpLongString longString => LongString(longString.Bytes),
        bool => 1,
        sbyte => 1,
        byte => 1,
        short => 2,
        ushort => 2,
        int => 4,
        uint => 4,
        long => 8,
        float => 4,
        double => 8,
        AmqpDecimal => 5,
        decimal number => DecimalSize(number),
        AmqpTimestamp => 8,
        byte[] bytes => LongString(bytes),
        IEnumerable<KeyValuePair<string, object?>> table => TableEntries(table, depth + 1),
        IEnumerable items when value is IReadOnlyList<object?> or IList => ArrayItems(items, depth + 1),
        _ => throw NoFieldType(value),
    };
}
