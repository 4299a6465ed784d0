using System.Text;
using System.Text.Json.Nodes;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;

namespace OrleansBroker.Management.Api;

/// <summary>/api/queues: list, show, declare (PUT), delete (if-empty, if-unused), purge (/contents), get, bindings.</summary>
public sealed class QueueRoutes(BrokerView view)
{
    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "queues", (r, _) => ListAsync(r, null)),
        new("GET", "queues/{vhost}", (r, a) => ListAsync(r, a[0])),
        new("GET", "queues/{vhost}/{name}", (r, a) => ShowAsync(r, a[0], a[1])),
        new("PUT", "queues/{vhost}/{name}", (r, a) => DeclareAsync(r, a[0], a[1])),
        new("DELETE", "queues/{vhost}/{name}", (r, a) => DeleteAsync(r, a[0], a[1])),
        new("DELETE", "queues/{vhost}/{name}/contents", (r, a) => PurgeAsync(r, a[0], a[1])),
        new("POST", "queues/{vhost}/{name}/get", (r, a) => GetAsync(r, a[0], a[1])),
        new("GET", "queues/{vhost}/{name}/bindings", (r, a) => BindingsAsync(r, a[0], a[1])),
    ];

    private async Task<ApiReply> ListAsync(ApiRequest request, string? vhost)
    {
        var queues = await view.QueuesAsync(vhost, request.User);
        var node = view.Nodes.LocalName;
        return ApiReply.Ok(Listing.Shape(request, queues.Select(q => ObjectJson.Queue(q.VirtualHost, q.Listing, q.Info, node))));
    }

    private async Task<ApiReply> ShowAsync(ApiRequest request, string vhost, string name)
    {
        var (listing, info) = await view.QueueAsync(vhost, name, request.User);
        return ApiReply.Ok(ObjectJson.Queue(vhost, listing, info, view.Nodes.LocalName));
    }

    private async Task<ApiReply> DeclareAsync(ApiRequest request, string vhost, string name)
    {
        var body = await request.ReadBodyAsync();
        var arguments = FieldTableJson.FromJson(body["arguments"]);
        await using var session = await view.OpenSessionAsync(vhost, request.User);
        var existed = await ExistsAsync(session, name);
        await Call(() => session.DeclareQueueAsync(name, JsonFields.Bool(body, "durable", false), exclusive: false,
            JsonFields.Bool(body, "auto_delete", false), arguments));
        return existed ? ApiReply.NoContent : ApiReply.Created;
    }

    private async Task<ApiReply> DeleteAsync(ApiRequest request, string vhost, string name)
    {
        await using var session = await view.OpenSessionAsync(vhost, request.User);
        await Call(() => session.DeleteQueueAsync(name, request.QueryFlag("if-unused"), request.QueryFlag("if-empty")));
        return ApiReply.NoContent;
    }

    private async Task<ApiReply> PurgeAsync(ApiRequest request, string vhost, string name)
    {
        await using var session = await view.OpenSessionAsync(vhost, request.User);
        await Call(() => session.PurgeQueueAsync(name));
        return ApiReply.NoContent;
    }

    /// <summary>
    /// Take up to count messages; ackmode ack_requeue_true / reject_requeue_true put them back (marked redelivered, as
    /// RabbitMQ's requeue does), ack_requeue_false / reject_requeue_false consume them.
    /// </summary>
    private async Task<ApiReply> GetAsync(ApiRequest request, string vhost, string name)
    {
        var body = await request.ReadBodyAsync();
        var count = JsonFields.Int(body, "count", 1);
        var ackMode = JsonFields.String(body, "ackmode") ?? throw ApiException.BadRequest("ackmode is required");
        var requeue = ackMode switch
        {
            "ack_requeue_true" or "reject_requeue_true" => true,
            "ack_requeue_false" or "reject_requeue_false" => false,
            _ => throw ApiException.BadRequest($"Unknown ackmode: {ackMode}"),
        };
        var encoding = JsonFields.String(body, "encoding") ?? "auto";
        var truncate = body["truncate"] is null ? int.MaxValue : JsonFields.Int(body, "truncate", int.MaxValue);
        var (_, info) = await view.QueueAsync(vhost, name, request.User);
        var ready = info?.MessagesReady ?? 0;

        var messages = new JsonArray();
        await using (var session = await view.OpenSessionAsync(vhost, request.User))
        {
            for (var i = 0; i < count; i++)
            {
                var message = await Call(() => session.GetAsync(name, autoAck: !requeue));
                if (message is null)
                {
                    break;
                }

                messages.Add(Message(message, Math.Max(0, ready - i - 1), encoding, truncate));
            }

            // Disposing the session requeues what it took without settling (the requeue modes).
        }

        return ApiReply.Ok(messages);
    }

    private async Task<ApiReply> BindingsAsync(ApiRequest request, string vhost, string name)
    {
        await view.QueueAsync(vhost, name, request.User);
        var topology = (await view.TopologiesAsync(vhost, request.User))[0].Topology;
        var bindings = topology.Bindings.Where(b => b.Destination == BindingDestination.Queue(name))
            .Prepend(ObjectJson.DefaultBinding(name))
            .Select(b => ObjectJson.Binding(vhost, b));
        return ApiReply.Ok(Listing.Shape(request, bindings, defaultSort: ""));
    }

    private static JsonObject Message(Client.DeliveredMessage message, int remaining, string encoding, int truncate)
    {
        var body = message.Body.Span;
        var (payload, payloadEncoding) = encoding == "base64" || !IsText(body)
            ? (Convert.ToBase64String(body[..Math.Min(body.Length, truncate)]), "base64")
            : (Encoding.UTF8.GetString(body[..Math.Min(body.Length, truncate)]), "string");
        return new JsonObject
        {
            ["payload_bytes"] = body.Length,
            ["redelivered"] = message.Redelivered,
            ["exchange"] = message.Exchange,
            ["routing_key"] = message.RoutingKey,
            ["message_count"] = remaining,
            ["properties"] = MessagePropertiesJson.ToJson(message.Properties),
            ["payload"] = payload,
            ["payload_encoding"] = payloadEncoding,
        };
    }

    private static bool IsText(ReadOnlySpan<byte> body)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(body);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static async Task<bool> ExistsAsync(Client.BrokerSession session, string name)
    {
        try
        {
            await session.InspectQueueAsync(name);
            return true;
        }
        catch (BrokerException e) when (e.Code == ReplyCode.NotFound)
        {
            return false;
        }
        catch (BrokerException)
        {
            // Exists but is not ours to inspect (another connection's exclusive queue).
            return true;
        }
    }

    /// <summary>Run a broker call, turning its refusals into API errors.</summary>
    public static async Task Call(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (BrokerException e)
        {
            throw ApiException.From(e);
        }
    }

    public static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (BrokerException e)
        {
            throw ApiException.From(e);
        }
    }
}
