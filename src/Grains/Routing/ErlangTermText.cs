using System.Globalization;
using System.Text;
using System.Text.Unicode;
using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Field values written the way RabbitMQ's error texts print them (Erlang's <c>~tp</c> of the decoded
/// value), so reply texts that quote a value read like RabbitMQ's: <c>&lt;&lt;"abc"&gt;&gt;</c>, <c>1.0e20</c>,
/// <c>[{signedint,1}]</c>. Only used when building error messages.
/// </summary>
internal static class ErlangTermText
{
    /// <summary>RabbitMQ's name for the field type of <paramref name="value"/>.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "void",
        string or AmqpLongString => "longstr",
        byte[] => "binary",
        bool => "bool",
        sbyte => "byte",
        byte => "unsignedbyte",
        short => "short",
        ushort => "unsignedshort",
        int => "signedint",
        uint => "unsignedint",
        long or ulong => "long",
        float => "float",
        double => "double",
        AmqpDecimal => "decimal",
        AmqpTimestamp => "timestamp",
        FieldTable => "table",
        IReadOnlyList<object?> => "array",
        _ => value.GetType().Name,
    };

    public static string Format(object? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    private static void Append(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("undefined");
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case string s:
                AppendBinary(text, Encoding.UTF8.GetBytes(s));
                break;
            case AmqpLongString l:
                AppendBinary(text, l.Bytes);
                break;
            case byte[] bytes:
                AppendBinary(text, bytes);
                break;
            case float f:
                AppendFloat(text, f);
                break;
            case double d:
                AppendFloat(text, d);
                break;
            case AmqpDecimal dec:
                text.Append('{').Append(dec.Scale).Append(',').Append((uint)dec.Value).Append('}');
                break;
            case AmqpTimestamp ts:
                text.Append(ts.UnixSeconds);
                break;
            case FieldTable table:
                text.Append('[');
                for (var i = 0; i < table.Count; i++)
                {
                    text.Append(i == 0 ? "{" : ",{");
                    AppendBinary(text, Encoding.UTF8.GetBytes(table[i].Key));
                    text.Append(',').Append(TypeName(table[i].Value)).Append(',');
                    Append(text, table[i].Value);
                    text.Append('}');
                }

                text.Append(']');
                break;
            case IReadOnlyList<object?> array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? "{" : ",{").Append(TypeName(array[i])).Append(',');
                    Append(text, array[i]);
                    text.Append('}');
                }

                text.Append(']');
                break;
            case IFormattable number:
                text.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                text.Append(value);
                break;
        }
    }

    /// <summary>
    /// A binary prints as a quoted string when every byte is printable Latin-1, else as a byte list.
    /// The quoted form carries the bytes through unchanged, so UTF-8 text (é is C3 A9, both printable
    /// Latin-1) comes out as itself; only " \ and the control escapes are escaped.
    /// </summary>
    private static void AppendBinary(StringBuilder text, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            text.Append("<<>>");
            return;
        }

        foreach (var b in bytes)
        {
            if (!IsPrintableLatin1(b))
            {
                text.Append("<<");
                for (var i = 0; i < bytes.Length; i++)
                {
                    text.Append(i == 0 ? "" : ",").Append(bytes[i]);
                }

                text.Append(">>");
                return;
            }
        }

        text.Append("<<\"").Append(EscapeText(bytes)).Append("\">>");
    }

    /// <summary>The bytes as text (UTF-8 where valid, else Latin-1), with Erlang's string escapes.</summary>
    private static string EscapeText(byte[] bytes)
    {
        var raw = Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);

        var escaped = new StringBuilder(raw.Length);
        foreach (var c in raw)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\v' => "\\v",
                '\b' => "\\b",
                '\f' => "\\f",
                '\e' => "\\e",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    private static bool IsPrintableLatin1(byte b) =>
        b is (>= 32 and <= 126) or >= 160 or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0B or 0x08 or 0x0C or 0x1B;

    /// <summary>
    /// Erlang prints the shortest digits that read back as the same float, in plain or scientific
    /// notation, whichever is shorter (plain on a tie): 100.0, 0.0001, 1.0e15, 1.0e-5.
    /// </summary>
    private static void AppendFloat(StringBuilder text, double value)
    {
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip.StartsWith('-');
        if (negative)
        {
            roundTrip = roundTrip[1..];
            text.Append('-');
        }

        // Split "1.2345E+19" / "0.0001" / "123456" into significant digits and a decimal exponent
        // such that value = 0.DIGITS * 10^pointPosition.
        var exponentAt = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? roundTrip : roundTrip[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(roundTrip[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var integerDigits = dot < 0 ? mantissa.Length : dot;
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        if (digits.Length == 0)
        {
            text.Append("0.0");
            return;
        }

        var pointPosition = integerDigits + exponent - leadingZeros;

        var scientific = digits[..1] + "." + (digits.Length > 1 ? digits[1..] : "0") + "e" + (pointPosition - 1).ToString(CultureInfo.InvariantCulture);
        string plain;
        if (pointPosition <= 0)
        {
            plain = "0." + new string('0', -pointPosition) + digits;
        }
        else if (pointPosition >= digits.Length)
        {
            plain = digits + new string('0', pointPosition - digits.Length) + ".0";
        }
        else
        {
            plain = digits[..pointPosition] + "." + digits[pointPosition..];
        }

        text.Append(plain.Length <= scientific.Length ? plain : scientific);
    }
}
