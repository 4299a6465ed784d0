using System.Text;
using System.Text.Json.Nodes;
using OrleansBroker.Client;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;

namespace OrleansBroker.Management.Api;

/// <summary>/api/exchanges: list, show, declare (PUT), delete (if-unused), publish, bindings as source and destination.</summary>
public sealed class ExchangeRoutes(BrokerView view)
{
    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "exchanges", (r, _) => ListAsync(r, null)),
        new("GET", "exchanges/{vhost}", (r, a) => ListAsync(r, a[0])),
        new("GET", "exchanges/{vhost}/{name}", (r, a) => ShowAsync(r, a[0], a[1])),
        new("PUT", "exchanges/{vhost}/{name}", (r, a) => DeclareAsync(r, a[0], a[1])),
        new("DELETE", "exchanges/{vhost}/{name}", (r, a) => DeleteAsync(r, a[0], a[1])),
        new("POST", "exchanges/{vhost}/{name}/publish", (r, a) => PublishAsync(r, a[0], a[1])),
        new("GET", "exchanges/{vhost}/{name}/bindings/source", (r, a) => BindingsAsync(r, a[0], a[1], source: true)),
        new("GET", "exchanges/{vhost}/{name}/bindings/destination", (r, a) => BindingsAsync(r, a[0], a[1], source: false)),
    ];

    /// <summary>"amq.default" in a path is the default exchange "".</summary>
    public static string RealName(string pathName) => pathName == ObjectJson.DefaultExchangePathName ? "" : pathName;

    private async Task<ApiReply> ListAsync(ApiRequest request, string? vhost)
    {
        var topologies = await view.TopologiesAsync(vhost, request.User);
        var rows = topologies.SelectMany(t => t.Topology.Exchanges.Prepend(VirtualHostRoutingTable.DefaultExchange)
            .Select(e => ObjectJson.Exchange(t.VirtualHost, e)));
        return ApiReply.Ok(Listing.Shape(request, rows));
    }

    private async Task<ApiReply> ShowAsync(ApiRequest request, string vhost, string name)
    {
        var declaration = await FindAsync(request, vhost, RealName(name)) ?? throw ApiException.NotFound();
        var json = ObjectJson.Exchange(vhost, declaration);
        json["incoming"] = new JsonArray();
        json["outgoing"] = new JsonArray();
        return ApiReply.Ok(json);
    }

    private async Task<ApiReply> DeclareAsync(ApiRequest request, string vhost, string name)
    {
        var body = await request.ReadBodyAsync();
        var type = JsonFields.String(body, "type") ?? throw ApiException.BadRequest("[{key_missing,type}]");
        var existed = await FindAsync(request, vhost, name) is not null;
        await using var session = await view.OpenSessionAsync(vhost, request.User);
        await QueueRoutes.Call(() => session.DeclareExchangeAsync(name, type, JsonFields.Bool(body, "durable", false), JsonFields.Bool(body, "auto_delete", false),
            JsonFields.Bool(body, "internal", false), FieldTableJson.FromJson(body["arguments"])));
        return existed ? ApiReply.NoContent : ApiReply.Created;
    }

    private async Task<ApiReply> DeleteAsync(ApiRequest request, string vhost, string name)
    {
        if (await FindAsync(request, vhost, name) is null)
        {
            throw ApiException.NotFound();
        }

        await using var session = await view.OpenSessionAsync(vhost, request.User);
        await QueueRoutes.Call(() => session.DeleteExchangeAsync(name, request.QueryFlag("if-unused")));
        return ApiReply.NoContent;
    }

    /// <summary>{"routed": bool}: whether a queue took the message (rabbit_mgmt_wm_exchange_publish).</summary>
    private async Task<ApiReply> PublishAsync(ApiRequest request, string vhost, string name)
    {
        var body = await request.ReadBodyAsync();
        var routingKey = JsonFields.String(body, "routing_key") ?? throw ApiException.BadRequest("[{key_missing,routing_key}]");
        var payloadText = JsonFields.String(body, "payload") ?? throw ApiException.BadRequest("[{key_missing,payload}]");
        var payload = (JsonFields.String(body, "payload_encoding") ?? "string") switch
        {
            "string" => Encoding.UTF8.GetBytes(payloadText),
            "base64" => Base64(payloadText),
            var other => throw ApiException.BadRequest($"Unknown payload_encoding: {other}"),
        };
        var exchange = RealName(name);
        if (await FindAsync(request, vhost, exchange) is null)
        {
            throw ApiException.NotFound();
        }

        await using var session = await view.OpenSessionAsync(vhost, request.User);
        var outcome = await QueueRoutes.Call(() => session.PublishAsync(exchange, routingKey, payload,
            MessagePropertiesJson.FromJson(body["properties"]), mandatory: true));
        return ApiReply.Ok(new JsonObject { ["routed"] = outcome == PublishOutcome.Routed });
    }

    private async Task<ApiReply> BindingsAsync(ApiRequest request, string vhost, string name, bool source)
    {
        var exchange = RealName(name);
        if (await FindAsync(request, vhost, exchange) is null)
        {
            throw ApiException.NotFound();
        }

        var topology = (await view.TopologiesAsync(vhost, request.User))[0].Topology;
        IEnumerable<Binding> bindings = source
            ? exchange.Length == 0
                ? topology.Queues.Select(q => ObjectJson.DefaultBinding(q.Declaration.Name))
                : topology.Bindings.Where(b => b.Source == exchange)
            : topology.Bindings.Where(b => b.Destination == BindingDestination.Exchange(exchange));
        return ApiReply.Ok(Listing.Shape(request, bindings.Select(b => ObjectJson.Binding(vhost, b)), defaultSort: ""));
    }

    private async Task<ExchangeDeclaration?> FindAsync(ApiRequest request, string vhost, string name)
    {
        if (name.Length == 0)
        {
            await view.VirtualHostsAsync(vhost, request.User);
            return VirtualHostRoutingTable.DefaultExchange;
        }

        var topology = (await view.TopologiesAsync(vhost, request.User))[0].Topology;
        return topology.Exchanges.FirstOrDefault(e => e.Name == name);
    }

    private static byte[] Base64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest("payload is not valid base64");
        }
    }
}
