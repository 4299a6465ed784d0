using System.Text.Json.Nodes;
using OrleansBroker.Grains.Access;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;

namespace OrleansBroker.Management.Api;

/// <summary>
/// /api/definitions: export in RabbitMQ's format (users, vhosts, permissions, policies, queues, exchanges, bindings;
/// exclusive queues left out, as RabbitMQ leaves them out) and import of queues, exchanges
/// and bindings, and of virtual hosts, users (their password hashes as RabbitMQ exports them), permissions and topic
/// permissions, policies and operator policies (validated as a PUT of each is).
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
        var topologies = await view.TopologiesAsync(vhost, request.User);
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
            var store = view.Access.Store;
            definitions["users"] = new JsonArray((await store.ListUsers()).Select(u => (JsonNode?)AccessRoutes.UserJson(u)).ToArray());
            definitions["vhosts"] = new JsonArray((await store.ListVirtualHosts()).Select(v =>
            {
                var json = new JsonObject { ["name"] = v.Name };
                if (v.Description.Length > 0 || v.Tags.Length > 0)
                {
                    json["description"] = v.Description;
                    json["tags"] = new JsonArray(v.Tags.Select(t => (JsonNode?)t).ToArray());
                }

                return (JsonNode?)json;
            }).ToArray());
            definitions["permissions"] = new JsonArray((await store.ListPermissions(null, null)).Select(p => (JsonNode?)AccessRoutes.PermissionJson(p)).ToArray());
            definitions["topic_permissions"] = new JsonArray((await store.ListTopicPermissions(null, null)).Select(p => (JsonNode?)AccessRoutes.TopicPermissionJson(p)).ToArray());
            definitions["parameters"] = new JsonArray();
            definitions["global_parameters"] = new JsonArray();
        }
        else
        {
            definitions["rabbit_version"] = OverviewRoutes.RabbitMQVersion;
            definitions["rabbitmq_version"] = OverviewRoutes.RabbitMQVersion;
            definitions["parameters"] = new JsonArray();
        }

        var policies = await Task.WhenAll(topologies.Select(t => view.Grains.GetGrain<IVirtualHostGrain>(t.VirtualHost).GetPolicies(PolicyKind.Policy).AsTask()));
        definitions["policies"] = new JsonArray(policies.SelectMany(p => p).Select(p =>
        {
            var json = PolicyRoutes.PolicyJson(p);
            if (vhost is not null)
            {
                json.Remove("vhost");
            }

            return (JsonNode?)json;
        }).ToArray());
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
        var store = view.Access.Store;
        foreach (var item in Items(body, "vhosts"))
        {
            var name = JsonFields.String(item, "name") ?? throw ApiException.BadRequest("[{key_missing,name}]");
            var existing = await store.GetVirtualHost(name);
            await store.PutVirtualHost(new VirtualHostRecord(name, JsonFields.String(item, "description") ?? existing?.Description ?? "",
                item["tags"] is JsonArray tags ? tags.Select(t => t?.ToString() ?? "").ToArray() : existing?.Tags ?? [], existing?.Limits ?? VirtualHostLimits.None));
        }

        foreach (var item in Items(body, "users"))
        {
            var name = JsonFields.String(item, "name") ?? throw ApiException.BadRequest("[{key_missing,name}]");
            await store.PutUser(AccessRoutes.UserFromJson(name, item));
        }

        foreach (var item in Items(body, "permissions"))
        {
            var permission = new UserPermission(Required(item, "user"), VirtualHostOf(item), Required(item, "configure"), Required(item, "write"), Required(item, "read"));
            if (await store.SetPermissions(permission) is not (AccessOutcome.Done or AccessOutcome.Created))
            {
                throw ApiException.BadRequest($"permission of '{permission.User}' in vhost '{permission.VirtualHost}' not imported: vhost_or_user_not_found");
            }
        }

        foreach (var item in Items(body, "topic_permissions"))
        {
            await store.SetTopicPermission(new TopicPermission(Required(item, "user"), VirtualHostOf(item), Required(item, "exchange"), Required(item, "write"), Required(item, "read")));
        }

        string VirtualHostOf(JsonObject item) => vhost ?? JsonFields.String(item, "vhost") ?? throw ApiException.BadRequest("[{key_missing,vhost}]");
        string Required(JsonObject item, string key) => JsonFields.String(item, key) ?? throw ApiException.BadRequest($"[{{key_missing,{key}}}]");

        foreach (var item in Items(body, "exchanges"))
        {
            await using var session = await view.OpenSessionAsync(VirtualHostOf(item), request.User);
            await QueueRoutes.Call(() => session.DeclareExchangeAsync(Required(item, "name"), Required(item, "type"), JsonFields.Bool(item, "durable", true),
                JsonFields.Bool(item, "auto_delete", false), JsonFields.Bool(item, "internal", false), FieldTableJson.FromJson(item["arguments"])));
        }

        foreach (var item in Items(body, "queues"))
        {
            await using var session = await view.OpenSessionAsync(VirtualHostOf(item), request.User);
            await QueueRoutes.Call(() => session.DeclareQueueAsync(Required(item, "name"), JsonFields.Bool(item, "durable", true), exclusive: false,
                JsonFields.Bool(item, "auto_delete", false), FieldTableJson.FromJson(item["arguments"])));
        }

        foreach (var item in Items(body, "bindings"))
        {
            await using var session = await view.OpenSessionAsync(VirtualHostOf(item), request.User);
            var source = Required(item, "source");
            var destination = Required(item, "destination");
            var routingKey = JsonFields.String(item, "routing_key") ?? "";
            var arguments = FieldTableJson.FromJson(item["arguments"]);
            await QueueRoutes.Call(() => JsonFields.String(item, "destination_type") == "exchange"
                ? session.BindExchangeAsync(destination, source, routingKey, arguments)
                : session.BindQueueAsync(destination, source, routingKey, arguments));
        }

        foreach (var (key, kind) in new[] { ("policies", PolicyKind.Policy), ("operator_policies", PolicyKind.OperatorPolicy) })
        {
            foreach (var item in Items(body, key))
            {
                var policyVhost = VirtualHostOf(item);
                var policy = PolicyRoutes.PolicyFromJson(kind, policyVhost, Required(item, "name"), item);
                await QueueRoutes.Call(() => view.Grains.GetGrain<IVirtualHostGrain>(policyVhost).SetPolicy(policy, kind).AsTask());
            }
        }

        return ApiReply.NoContent;
    }

    private static IEnumerable<JsonObject> Items(JsonObject body, string key) =>
        body[key] is JsonArray array ? array.OfType<JsonObject>() : [];
}
