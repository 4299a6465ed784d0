using System.Collections;
using System.Globalization;
using System.Text;

namespace OrleansBroker.Amqp;

/// <summary>Readable renderings of field values, for logs and test failure messages.</summary>
internal static class FieldValueText
{
    public static string Table(FieldTable table)
    {
        var text = new StringBuilder();
        AppendValue(text, table);
        return text.ToString();
    }

    private static void AppendValue(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("void");
                break;
            case string s:
                text.Append('"').Append(s).Append('"');
                break;
            case byte[] bytes:
                text.Append("0x").Append(Convert.ToHexString(bytes));
                break;
            case IEnumerable<KeyValuePair<string, object?>> entries:
                text.Append('{');
                var first = true;
                foreach (var (key, entry) in entries)
                {
                    text.Append(first ? string.Empty : ", ").Append(key).Append(": ");
                    AppendValue(text, entry);
                    first = false;
                }

                text.Append('}');
                break;
            case IEnumerable items and (IReadOnlyList<object?> or IList):
                text.Append('[');
                var firstItem = true;
                foreach (var item in items)
                {
                    text.Append(firstItem ? string.Empty : ", ");
                    AppendValue(text, item);
                    firstItem = false;
                }

                text.Append(']');
                break;
            case IFormattable formattable:
                text.Append(formattable.ToString(null, CultureInfo.InvariantCulture)).Append(" (").Append(value.GetType().Name).Append(')');
                break;
            default:
                text.Append(value);
                break;
        }
    }
}
