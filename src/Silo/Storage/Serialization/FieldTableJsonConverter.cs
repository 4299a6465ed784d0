using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansBroker.Amqp;

namespace OrleansBroker.Silo.Storage.Serialization;

/// <summary>
/// Stores a <see cref="FieldTable"/> as a base64 JSON string of its AMQP 0-9-1 encoding (the 32-bit length, then the
/// entries), exactly what <see cref="AmqpWriter.WriteTable(FieldTable?)"/> writes and <see cref="AmqpReader.ReadTable"/>
/// reads. Using the wire codec, rather than a JSON shape of our own, makes the round trip exact by construction: every
/// value keeps its wire type (an 'I' stays an int, 'x' a byte[], a non-UTF-8 'S' an <see cref="AmqpLongString"/>),
/// entries keep their wire order and duplicates, nested tables and arrays nest the same.
/// </summary>
/// <remarks>
/// Values that only code can put in a table, never the wire, come back as the reader types them: a
/// <see cref="decimal"/> as <see cref="AmqpDecimal"/>, any list as <see cref="List{T}"/> of object?, a dictionary as a
/// <see cref="FieldTable"/>. Non-finite floats cannot be stored (the reader refuses them, as RabbitMQ does).
/// </remarks>
public sealed class FieldTableJsonConverter : JsonConverter<FieldTable>
{
    public override FieldTable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a field table is stored as a base64 string, not {reader.TokenType}");
        }

        if (!reader.TryGetBytesFromBase64(out var encoded))
        {
            throw new JsonException("a stored field table is not valid base64");
        }

        try
        {
            var amqp = new AmqpReader(encoded);
            var table = amqp.ReadTable();
            amqp.EnsureFullyConsumed();
            return table;
        }
        catch (AmqpFormatException e)
        {
            throw new JsonException($"a stored field table is not a valid AMQP field table: {e.Message}", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, FieldTable value, JsonSerializerOptions options)
    {
        var encoded = new byte[AmqpSizes.Table(value)];
        var amqp = new AmqpWriter(encoded);
        amqp.WriteTable(value);
        writer.WriteBase64StringValue(encoded);
    }
}
