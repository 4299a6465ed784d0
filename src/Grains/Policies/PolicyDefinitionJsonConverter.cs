using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// Keeps a <see cref="PolicyDefinition"/> in JSON as the object it was set from ({"message-ttl":60000}), so grain
/// state holding policies (a queue's applied policies, a virtual host's policy store) stores them readably.
/// </summary>
public sealed class PolicyDefinitionJsonConverter : JsonConverter<PolicyDefinition>
{
    public override PolicyDefinition Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            return PolicyDefinition.FromJson(document.RootElement);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, PolicyDefinition value, JsonSerializerOptions options) => value.WriteTo(writer);
}
