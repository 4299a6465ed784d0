using System.Text.Json.Nodes;
using OrleansBroker.Grains.Model;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;

namespace OrleansBroker.Management.Api;

/// <summary>
/// /api/definitions: export in RabbitMQ's format (users, vhosts, permissions, policies, queues, exchanges, bindings;
/// transient and exclusive objects left out, as RabbitMQ leaves out exclusive ones) and import of queues, exchanges
/// and bindings. Users, virtual hosts and permissions other than the default ones cannot be imported until the broker
/// stores them: such an import is refused whole (400) before anything is declared.
/// </summary>
public sealed class DefinitionRoutes(BrokerView view)
{
    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "definitions", (r, _) => ExportAsync(r, null)),
        new("GET", "definitions/{vhost}", (r, a) => ExportAsync(r, a[0])),
        new("POST", "definitions", (r, _) => ImportAsync(r, null)),
        new("POST", "definitions/{vhost}", (r, a) => ImportAsync(r, a[0])),
    ];

    private async Task<ApiReply> ExportAsync(ApiRequest request, string? vhost)
    {
        request.RequireAdministrator();
        var topologies = await view.TopologiesAsync(vhost);
        var queues = topologies.SelectMany(t => t.Topology.Queues.Where(q => !q.Declaration.Exclusive).Select(q => (JsonNode?)Queue(vhost is null ? t.VirtualHost : null, q.Declaration)));
        var exchanges = topologies.SelectMany(t => t.Topology.Exchanges.Where(e => !e.Name.StartsWith("amq.", StringComparison.Ordinal))
            .Select(e => (JsonNode?)Exchange(vhost is null ? t.VirtualHost : null, e)));
        var bindings = topologies.SelectMany(t => t.Topology.Bindings.Select(b =>
        {
            var json = ObjectJson.Binding(t.VirtualHost, b);
            json.Remove("properties_key");
            if (vhost is not null)
            {
                json.Remove("vhost");
            }

            return (JsonNode?)json;
        }));
        var definitions = new JsonObject();
        if (vhost is null)
        {
            definitions["rabbit_version"] = OverviewRoutes.RabbitMQVersion;
            definitions["rabbitmq_version"] = OverviewRoutes.RabbitMQVersion;
            definitions["product_name"] = "OrleansBroker";
            definitions["product_version"] = OverviewRoutes.RabbitMQVersion;
            definitions["users"] = new JsonArray(view.Access.Users().Select(u => (JsonNode?)new JsonObject
            {
                ["name"] = u.Name,
                ["tags"] = new JsonArray(u.Tags.Select(t => (JsonNode?)t).ToArray()),
                ["limits"] = new JsonObject(),
            }).ToArray());
            definitions["vhosts"] = new JsonArray(view.VirtualHosts().Select(v => (JsonNode?)new JsonObject { ["name"] = v }).ToArray());
            definitions["permissions"] = new JsonArray(view.Access.Permissions().Select(p => (JsonNode?)new JsonObject
            {
                ["user"] = p.User, ["vhost"] = p.VirtualHost, ["configure"] = p.Configure, ["write"] = p.Write, ["read"] = p.Read,
            }).ToArray());
            definitions["topic_permissions"] = new JsonArray();
            definitions["parameters"] = new JsonArray();
            definitions["global_parameters"] = new JsonArray();
        }
        else
        {
            definitions["rabbit_version"] = OverviewRoutes.RabbitMQVersion;
            definitions["rabbitmq_version"] = OverviewRoutes.RabbitMQVersion;
            definitions["parameters"] = new JsonArray();
        }

        definitions["policies"] = new JsonArray();
        definitions["queues"] = new JsonArray(queues.ToArray());
        definitions["exchanges"] = new JsonArray(exchanges.ToArray());
        definitions["bindings"] = new JsonArray(bindings.ToArray());
        return ApiReply.Ok(definitions);
    }

    private static JsonObject Queue(string? vhost, QueueDeclaration q)
    {
        var json = new JsonObject { ["name"] = q.Name };
        if (vhost is not null)
        {
            json["vhost"] = vhost;
        }

        json["durable"] = q.Durable;
        json["auto_delete"] = q.AutoDelete;
        json["arguments"] = FieldTableJson.ToJson(q.Arguments);
        return json;
    }

    private static JsonObject Exchange(string? vhost, ExchangeDeclaration e)
    {
        var json = new JsonObject { ["name"] = e.Name };
        if (vhost is not null)
        {
            json["vhost"] = vhost;
        }

        json["type"] = e.Type;
        json["durable"] = e.Durable;
        json["auto_delete"] = e.AutoDelete;
        json["internal"] = e.Internal;
        json["arguments"] = FieldTableJson.ToJson(e.Arguments);
        return json;
    }

    private async Task<ApiReply> ImportAsync(ApiRequest request, string? vhost)
    {
        request.RequireAdministrator();
        var body = await request.ReadBodyAsync();
        CheckStoredElsewhere(body);
        string VirtualHostOf(JsonObject item) => vhost ?? JsonFields.String(item, "vhost") ?? throw ApiException.BadRequest("[{key_missing,vhost}]");
        string Required(JsonObject item, string key) => JsonFields.String(item, key) ?? throw ApiException.BadRequest($"[{{key_missing,{key}}}]");

        foreach (var item in Items(body, "exchanges"))
        {
            await using var session = await view.OpenSessionAsync(VirtualHostOf(item));
            await QueueRoutes.Call(() => session.DeclareExchangeAsync(Required(item, "name"), Required(item, "type"), JsonFields.Bool(item, "durable", true),
                JsonFields.Bool(item, "auto_delete", false), JsonFields.Bool(item, "internal", false), FieldTableJson.FromJson(item["arguments"])));
        }

        foreach (var item in Items(body, "queues"))
        {
            await using var session = await view.OpenSessionAsync(VirtualHostOf(item));
            await QueueRoutes.Call(() => session.DeclareQueueAsync(Required(item, "name"), JsonFields.Bool(item, "durable", true), exclusive: false,
                JsonFields.Bool(item, "auto_delete", false), FieldTableJson.FromJson(item["arguments"])));
        }

        foreach (var item in Items(body, "bindings"))
        {
            await using var session = await view.OpenSessionAsync(VirtualHostOf(item));
            var source = Required(item, "source");
            var destination = Required(item, "destination");
            var routingKey = JsonFields.String(item, "routing_key") ?? "";
            var arguments = FieldTableJson.FromJson(item["arguments"]);
            await QueueRoutes.Call(() => JsonFields.String(item, "destination_type") == "exchange"
                ? session.BindExchangeAsync(destination, source, routingKey, arguments)
                : session.BindQueueAsync(destination, source, routingKey, arguments));
        }

        return ApiReply.NoContent;
    }

    /// <summary>Users, vhosts and permissions beyond the defaults, and policies, are not stored by the broker yet: refuse rather than drop them.</summary>
    private void CheckStoredElsewhere(JsonObject body)
    {
        var users = view.Access.Users().Select(u => u.Name).ToHashSet();
        var vhosts = view.VirtualHosts().ToHashSet();
        var unknownUser = Items(body, "users").Select(u => JsonFields.String(u, "name")).FirstOrDefault(n => n is null || !users.Contains(n));
        var unknownVhost = Items(body, "vhosts").Select(v => JsonFields.String(v, "name")).FirstOrDefault(n => n is null || !vhosts.Contains(n));
        if (unknownUser is not null || Items(body, "users").Any(u => u["name"] is null))
        {
            throw ApiException.BadRequest($"importing users is not supported yet (user '{unknownUser}')");
        }

        if (unknownVhost is not null)
        {
            throw ApiException.BadRequest($"importing virtual hosts is not supported yet (vhost '{unknownVhost}')");
        }

        if (Items(body, "policies").Any() || Items(body, "operator_policies").Any())
        {
            throw ApiException.BadRequest("importing policies is not supported yet");
        }
    }

    private static IEnumerable<JsonObject> Items(JsonObject body, string key) =>
        body[key] is JsonArray array ? array.OfType<JsonObject>() : [];
}
