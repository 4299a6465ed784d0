using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansBroker.Amqp;
using OrleansBroker.Management.Http;

namespace OrleansBroker.Management.Json;

/// <summary>
/// Field tables (arguments, headers, client properties) as RabbitMQ's management API writes and reads them: integers
/// as numbers, strings, booleans, nested tables as objects, arrays as arrays, byte arrays and non-UTF-8 long strings
/// as strings, timestamps as seconds. Read back, a JSON integer is a signed 64-bit integer ('l') and a fraction a
/// double ('d'), as rabbit_mgmt_util:to_amqp_table types them.
/// </summary>
public static class FieldTableJson
{
    public static JsonObject ToJson(FieldTable table)
    {
        var json = new JsonObject();
        foreach (var (key, value) in table)
        {
            json[key] = ValueToJson(value);
        }

        return json;
    }

    public static JsonNode? ValueToJson(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        sbyte or byte or short or ushort or int or uint or long when FieldTable.TryConvertToInt64(value, out var integer) => JsonValue.Create(integer),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        AmqpDecimal d => JsonValue.Create(d.ToDecimal()),
        string s => JsonValue.Create(s),
        AmqpLongString l => JsonValue.Create(l.ToString()),
        byte[] bytes => JsonValue.Create(System.Text.Encoding.UTF8.GetString(bytes)),
        AmqpTimestamp t => JsonValue.Create(t.UnixSeconds),
        FieldTable nested => ToJson(nested),
        IEnumerable<object?> array => new JsonArray(array.Select(ValueToJson).ToArray()),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    /// <summary>A JSON object as a field table; null or absent is the empty table. 400 for anything but an object.</summary>
    public static FieldTable FromJson(JsonNode? node)
    {
        if (node is null)
        {
            return FieldTable.Empty;
        }

        if (node is not JsonObject json)
        {
            throw ApiException.BadRequest("arguments must be a JSON object");
        }

        return new FieldTable(json.Select(entry => KeyValuePair.Create(entry.Key, ValueFromJson(entry.Value))).ToArray());
    }

    private static object? ValueFromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject json => FromJson(json),
        JsonArray array => array.Select(ValueFromJson).ToArray(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number when value.TryGetValue<long>(out var integer) => integer,
            JsonValueKind.Number => value.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}
