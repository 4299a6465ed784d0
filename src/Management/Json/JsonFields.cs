using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansBroker.Management.Http;

namespace OrleansBroker.Management.Json;

/// <summary>Reading fields of request bodies as RabbitMQ accepts them: booleans also as "true"/"false" (rabbitmqadmin sends strings).</summary>
public static class JsonFields
{
    public static bool Bool(JsonObject body, string name, bool fallback)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return fallback;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(node.GetValue<string>(), out var parsed) => parsed,
            _ => throw ApiException.BadRequest($"{name} must be a boolean"),
        };
    }

    public static string? String(JsonObject body, string name) =>
        body.TryGetPropertyValue(name, out var node) && node is not null
            ? node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString()
            : null;

    public static int Int(JsonObject body, string name, int fallback)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return fallback;
        }

        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<int>(out var number))
        {
            return number;
        }

        return node.GetValueKind() == JsonValueKind.String && int.TryParse(node.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw ApiException.BadRequest($"{name} must be an integer");
    }
}
