using System.Text.Unicode;
using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Equality of field values as RabbitMQ's headers exchange sees it. RabbitMQ compares a binding
/// argument with a header by their values alone, with Erlang's <c>==</c>: every integer type and the
/// timestamp are plain integers, 'f' and 'd' are floats, and integers equal floats of the same value
/// (1 == 1.0); 'S' and 'x' are both binaries, equal when the bytes are. Inside arrays and nested
/// tables each element keeps its type tag, so there types must agree ('I' 1 is not 'l' 1, except that
/// 'l' and 'L' are the same type) and order matters.
/// </summary>
internal static class HeaderValueEquality
{
    /// <summary>Whether a top-level binding argument value equals a header value.</summary>
    public static bool ValuesEqual(object? pattern, object? value)
    {
        if (pattern is null || value is null)
        {
            return pattern is null && value is null;
        }

        if (IsBinary(pattern))
        {
            return IsBinary(value) && BinariesEqual(pattern, value);
        }

        if (TryGetInteger(pattern, out var patternInteger))
        {
            if (TryGetInteger(value, out var valueInteger))
            {
                return patternInteger == valueInteger;
            }

            return TryGetFloat(value, out var valueFloat) && IntegerEqualsFloat(patternInteger, valueFloat);
        }

        if (TryGetFloat(pattern, out var patternFloat))
        {
            if (TryGetFloat(value, out var valueFloat))
            {
                return patternFloat == valueFloat;
            }

            return TryGetInteger(value, out var valueInteger) && IntegerEqualsFloat(valueInteger, patternFloat);
        }

        return TypedEquals(pattern, value);
    }

    /// <summary>Equality of two values together with their wire types, as inside arrays and tables.</summary>
    private static bool TypedEquals(object? a, object? b)
    {
        switch (a)
        {
            case null:
                return b is null;
            case string or AmqpLongString:
                return b is string or AmqpLongString && BinariesEqual(a, b);
            case byte[] bytes:
                return b is byte[] other && bytes.AsSpan().SequenceEqual(other);
            case FieldTable table:
                return b is FieldTable otherTable && TablesEqual(table, otherTable);
            case IReadOnlyList<object?> array:
                return b is IReadOnlyList<object?> otherArray && ArraysEqual(array, otherArray);
            case float f:
                return b is float g && f == g;
            case double d:
                return b is double e && d == e;
            default:
                // bool, the integer types, AmqpDecimal, AmqpTimestamp: same CLR type, same value.
                return b is not null && a.GetType() == b.GetType() && a.Equals(b);
        }
    }

    private static bool TablesEqual(FieldTable a, FieldTable b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !TypedEquals(a[i].Value, b[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ArraysEqual(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!TypedEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsBinary(object value) => value is string or AmqpLongString or byte[];

    private static bool BinariesEqual(object a, object b)
    {
        if (a is string textA)
        {
            return b is string textB ? string.Equals(textA, textB, StringComparison.Ordinal) : Utf8Equals(textA, BytesOf(b));
        }

        return b is string text ? Utf8Equals(text, BytesOf(a)) : BytesOf(a).SequenceEqual(BytesOf(b));
    }

    private static ReadOnlySpan<byte> BytesOf(object binary) => binary switch
    {
        byte[] bytes => bytes,
        AmqpLongString longString => longString.Bytes,
        _ => throw new ArgumentException("not a binary value", nameof(binary)),
    };

    /// <summary>Whether <paramref name="text"/> encodes to exactly <paramref name="bytes"/> in UTF-8, without allocating.</summary>
    private static bool Utf8Equals(string text, ReadOnlySpan<byte> bytes)
    {
        Span<byte> buffer = stackalloc byte[256];
        var chars = text.AsSpan();
        while (!chars.IsEmpty)
        {
            Utf8.FromUtf16(chars, buffer, out var read, out var written);
            if (written > bytes.Length || !buffer[..written].SequenceEqual(bytes[..written]))
            {
                return false;
            }

            chars = chars[read..];
            bytes = bytes[written..];
        }

        return bytes.IsEmpty;
    }

    private static bool TryGetInteger(object value, out Int128 result)
    {
        switch (value)
        {
            case sbyte v: result = v; return true;
            case byte v: result = v; return true;
            case short v: result = v; return true;
            case ushort v: result = v; return true;
            case int v: result = v; return true;
            case uint v: result = v; return true;
            case long v: result = v; return true;
            case ulong v: result = v; return true;
            case AmqpTimestamp v: result = v.UnixSeconds; return true;
            default: result = 0; return false;
        }
    }

    private static bool TryGetFloat(object value, out double result)
    {
        switch (value)
        {
            case float v: result = v; return true;
            case double v: result = v; return true;
            default: result = 0; return false;
        }
    }

    /// <summary>Exact comparison, as Erlang does it: no rounding of the integer to the nearest double.</summary>
    private static bool IntegerEqualsFloat(Int128 integer, double value)
    {
        // Every integer here is below 2^64 in magnitude; an integral double in that range converts exactly.
        const double Limit = 18446744073709551616.0; // 2^64
        return double.IsFinite(value) && Math.Floor(value) == value && Math.Abs(value) <= Limit && (Int128)value == integer;
    }
}
