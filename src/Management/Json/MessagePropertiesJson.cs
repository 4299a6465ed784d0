using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansBroker.Amqp;
using OrleansBroker.Management.Http;

namespace OrleansBroker.Management.Json;

/// <summary>Basic properties as the management API writes them (get) and reads them (publish): AMQP's names, set ones only.</summary>
public static class MessagePropertiesJson
{
    public static JsonObject ToJson(MessageProperties p)
    {
        var json = new JsonObject();
        void Add(string name, JsonNode? value)
        {
            if (value is not null)
            {
                json[name] = value;
            }
        }

        Add("content_type", p.ContentType);
        Add("content_encoding", p.ContentEncoding);
        Add("priority", p.Priority is { } priority ? JsonValue.Create(priority) : null);
        Add("correlation_id", p.CorrelationId);
        Add("reply_to", p.ReplyTo);
        Add("expiration", p.Expiration);
        Add("message_id", p.MessageId);
        Add("timestamp", p.Timestamp is { } timestamp ? JsonValue.Create(timestamp.UnixSeconds) : null);
        Add("type", p.Type);
        Add("user_id", p.UserId);
        Add("app_id", p.AppId);
        Add("cluster_id", p.ClusterId);
        Add("delivery_mode", p.DeliveryMode is { } mode ? JsonValue.Create(mode) : null);
        Add("headers", p.Headers is { Count: > 0 } headers ? FieldTableJson.ToJson(headers) : null);
        return json;
    }

    public static MessageProperties FromJson(JsonNode? node)
    {
        if (node is null)
        {
            return new MessageProperties();
        }

        if (node is not JsonObject json)
        {
            throw ApiException.BadRequest("properties must be a JSON object");
        }

        string? Text(string name) => json[name] is { } value ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString() : null;
        byte? Byte(string name) => json[name] is { } value
            ? byte.TryParse(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString(), out var b) ? b : throw ApiException.BadRequest($"{name} must be a small integer")
            : null;
        return new MessageProperties
        {
            ContentType = Text("content_type"),
            ContentEncoding = Text("content_encoding"),
            Priority = Byte("priority"),
            CorrelationId = Text("correlation_id"),
            ReplyTo = Text("reply_to"),
            Expiration = Text("expiration"),
            MessageId = Text("message_id"),
            Timestamp = json["timestamp"] is { } t && ulong.TryParse(t.ToJsonString(), out var seconds) ? new AmqpTimestamp(seconds) : null,
            Type = Text("type"),
            UserId = Text("user_id"),
            AppId = Text("app_id"),
            ClusterId = Text("cluster_id"),
            DeliveryMode = Byte("delivery_mode"),
            Headers = json["headers"] is JsonObject headers ? FieldTableJson.FromJson(headers) : null,
        };
    }
}
