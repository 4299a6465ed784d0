using System.Buffers;
using System.Collections;
using System.Text;

namespace OrleansBroker.Amqp;

/// <summary>
/// Equality of field tables as RabbitMQ compares binding arguments: it sorts a table's entries by key
/// (rabbit_misc:sort_field_table, a stable keysort of the top level only) and then compares Erlang terms exactly.
/// So the top level is order-insensitive; nested tables and arrays compare in wire order; a value's wire type
/// counts (int 1 is not long 1); 'S' strings compare by their UTF-8 bytes.
/// </summary>
internal static class FieldValueEquality
{
    public static bool TablesEqual(FieldTable left, FieldTable right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left.Count != right.Count)
        {
            return false;
        }

        var leftOrder = SortedByKey(left);
        var rightOrder = SortedByKey(right);
        for (var i = 0; i < leftOrder.Length; i++)
        {
            var (leftKey, leftValue) = left[leftOrder[i]];
            var (rightKey, rightValue) = right[rightOrder[i]];
            if (!string.Equals(leftKey, rightKey, StringComparison.Ordinal) || !ValuesEqual(leftValue, rightValue))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Order-insensitive over the top level, to agree with <see cref="TablesEqual"/>.</summary>
    public static int TableHash(FieldTable table)
    {
        var hash = 0;
        foreach (var (key, value) in table)
        {
            hash = unchecked(hash + HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), ValueHash(value)));
        }

        return hash;
    }

    public static bool ValuesEqual(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        switch (left)
        {
            case string or AmqpLongString:
                return right is string or AmqpLongString && LongStringsEqual(left, right);
            case byte[] leftBytes:
                return right is byte[] rightBytes && leftBytes.AsSpan().SequenceEqual(rightBytes);
            case IEnumerable<KeyValuePair<string, object?>> leftTable:
                return right is IEnumerable<KeyValuePair<string, object?>> rightTable && EntriesEqualInOrder(leftTable, rightTable);
            case IEnumerable leftItems when IsArray(left):
                return IsArray(right) && ItemsEqualInOrder(leftItems, (IEnumerable)right);
            default:
                return left.GetType() == right.GetType() && left.Equals(right);
        }
    }

    public static int ValueHash(object? value) => value switch
    {
        null => 0,
        string text => Utf8Hash(text),
        AmqpLongString longString => BytesHash(longString.Bytes),
        byte[] bytes => BytesHash(bytes),
        IEnumerable<KeyValuePair<string, object?>> table => EntriesHash(table),
        IEnumerable items when IsArray(value) => ItemsHash(items),
        _ => value.GetHashCode(),
    };

    // What AmqpWriter writes as an array ('A').
    private static bool IsArray(object value) => value is (IReadOnlyList<object?> or IList) and not string and not byte[];

    private static int[] SortedByKey(FieldTable table)
    {
        var order = new int[table.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Insertion sort: stable, as Erlang's keysort, and tables are short.
        for (var i = 1; i < order.Length; i++)
        {
            var current = order[i];
            var key = table[current].Key;
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(table[order[j]].Key, key) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }

        return order;
    }

    private static bool LongStringsEqual(object left, object right)
    {
        if (left is string leftText && right is string rightText)
        {
            return string.Equals(leftText, rightText, StringComparison.Ordinal);
        }

        if (left is AmqpLongString leftLong && right is AmqpLongString rightLong)
        {
            return leftLong.Equals(rightLong);
        }

        var (text, bytes) = left is string s ? (s, ((AmqpLongString)right).Bytes) : ((string)right, ((AmqpLongString)left).Bytes);
        return Encoding.UTF8.GetByteCount(text) == bytes.Length && Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(bytes);
    }

    private static bool EntriesEqualInOrder(IEnumerable<KeyValuePair<string, object?>> left, IEnumerable<KeyValuePair<string, object?>> right)
    {
        using var leftEntries = left.GetEnumerator();
        using var rightEntries = right.GetEnumerator();
        while (true)
        {
            var leftMoved = leftEntries.MoveNext();
            if (leftMoved != rightEntries.MoveNext())
            {
                return false;
            }

            if (!leftMoved)
            {
                return true;
            }

            if (!string.Equals(leftEntries.Current.Key, rightEntries.Current.Key, StringComparison.Ordinal)
                || !ValuesEqual(leftEntries.Current.Value, rightEntries.Current.Value))
            {
                return false;
            }
        }
    }

    private static bool ItemsEqualInOrder(IEnumerable left, IEnumerable right)
    {
        var leftItems = left.GetEnumerator();
        var rightItems = right.GetEnumerator();
        while (true)
        {
            var leftMoved = leftItems.MoveNext();
            if (leftMoved != rightItems.MoveNext())
            {
                return false;
            }

            if (!leftMoved)
            {
                return true;
            }

            if (!ValuesEqual(leftItems.Current, rightItems.Current))
            {
                return false;
            }
        }
    }

    private static int EntriesHash(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        var hash = new HashCode();
        foreach (var (key, value) in entries)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(ValueHash(value));
        }

        return hash.ToHashCode();
    }

    private static int ItemsHash(IEnumerable items)
    {
        var hash = new HashCode();
        foreach (var item in items)
        {
            hash.Add(ValueHash(item));
        }

        return hash.ToHashCode();
    }

    private static int BytesHash(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    // Hashes the UTF-8 bytes so a string and an AmqpLongString holding the same bytes hash alike.
    private static int Utf8Hash(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[256] : rented;
        try
        {
            var written = Encoding.UTF8.GetBytes(text, bytes);
            return BytesHash(bytes[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
