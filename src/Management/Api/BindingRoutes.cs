using System.Text.Json.Nodes;
using OrleansBroker.Grains.Model;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;

namespace OrleansBroker.Management.Api;

/// <summary>
/// /api/bindings: list, and between an exchange and a queue (e/q) or two exchanges (e/e): list, create (POST, answered
/// 201 with a Location naming the new binding's properties key), show and delete by properties key.
/// </summary>
public sealed class BindingRoutes(BrokerView view)
{
    public IEnumerable<ApiRoute> Routes()
    {
        var routes = new List<ApiRoute>
        {
            new("GET", "bindings", (r, _) => ListAsync(r, null)),
            new("GET", "bindings/{vhost}", (r, a) => ListAsync(r, a[0])),
        };
        foreach (var (letter, kind) in new[] { ("q", DestinationKind.Queue), ("e", DestinationKind.Exchange) })
        {
            routes.Add(new("GET", $"bindings/{{vhost}}/e/{{source}}/{letter}/{{destination}}", (r, a) => BetweenAsync(r, a[0], a[1], new(kind, a[2]))));
            routes.Add(new("POST", $"bindings/{{vhost}}/e/{{source}}/{letter}/{{destination}}", (r, a) => CreateAsync(r, a[0], a[1], new(kind, a[2]))));
            routes.Add(new("GET", $"bindings/{{vhost}}/e/{{source}}/{letter}/{{destination}}/{{props}}", (r, a) => ShowAsync(r, a[0], a[1], new(kind, a[2]), a[3])));
            routes.Add(new("DELETE", $"bindings/{{vhost}}/e/{{source}}/{letter}/{{destination}}/{{props}}", (r, a) => DeleteAsync(r, a[0], a[1], new(kind, a[2]), a[3])));
        }

        return routes;
    }

    private async Task<ApiReply> ListAsync(ApiRequest request, string? vhost)
    {
        var topologies = await view.TopologiesAsync(vhost, request.User);
        var rows = topologies.SelectMany(t => t.Topology.Queues.Select(q => ObjectJson.DefaultBinding(q.Declaration.Name)).Concat(t.Topology.Bindings)
            .Select(b => ObjectJson.Binding(t.VirtualHost, b)));
        return ApiReply.Ok(Listing.Shape(request, rows, defaultSort: ""));
    }

    private async Task<ApiReply> BetweenAsync(ApiRequest request, string vhost, string source, BindingDestination destination)
    {
        var bindings = await BindingsBetweenAsync(request, vhost, ExchangeRoutes.RealName(source), destination);
        return ApiReply.Ok(Listing.Shape(request, bindings.Select(b => ObjectJson.Binding(vhost, b)), defaultSort: ""));
    }

    private async Task<ApiReply> CreateAsync(ApiRequest request, string vhost, string source, BindingDestination destination)
    {
        var body = await request.ReadBodyAsync();
        var routingKey = JsonFields.String(body, "routing_key") ?? "";
        var arguments = FieldTableJson.FromJson(body["arguments"]);
        await using var session = await view.OpenSessionAsync(vhost, request.User);
        await QueueRoutes.Call(() => destination.Kind == DestinationKind.Queue
            ? session.BindQueueAsync(destination.Name, source, routingKey, arguments)
            : session.BindExchangeAsync(destination.Name, source, routingKey, arguments));
        var letter = destination.Kind == DestinationKind.Queue ? "q" : "e";
        request.Context.Response.Headers.Location =
            $"/api/bindings/{Uri.EscapeDataString(vhost)}/e/{Uri.EscapeDataString(source)}/{letter}/{Uri.EscapeDataString(destination.Name)}/{BindingPropertiesKey.Of(routingKey, arguments)}";
        return ApiReply.Created;
    }

    private async Task<ApiReply> ShowAsync(ApiRequest request, string vhost, string source, BindingDestination destination, string props)
    {
        var binding = await FindAsync(request, vhost, source, destination, props);
        return ApiReply.Ok(ObjectJson.Binding(vhost, binding));
    }

    private async Task<ApiReply> DeleteAsync(ApiRequest request, string vhost, string source, BindingDestination destination, string props)
    {
        var binding = await FindAsync(request, vhost, source, destination, props);
        await using var session = await view.OpenSessionAsync(vhost, request.User);
        await QueueRoutes.Call(() => destination.Kind == DestinationKind.Queue
            ? session.UnbindQueueAsync(destination.Name, binding.Source, binding.RoutingKey, binding.Arguments)
            : session.UnbindExchangeAsync(destination.Name, binding.Source, binding.RoutingKey, binding.Arguments));
        return ApiReply.NoContent;
    }

    private async Task<Binding> FindAsync(ApiRequest request, string vhost, string source, BindingDestination destination, string props)
    {
        var bindings = await BindingsBetweenAsync(request, vhost, ExchangeRoutes.RealName(source), destination);
        return bindings.FirstOrDefault(b => BindingPropertiesKey.Of(b.RoutingKey, b.Arguments) == props
                || Uri.UnescapeDataString(BindingPropertiesKey.Of(b.RoutingKey, b.Arguments)) == props)
            ?? throw ApiException.NotFound();
    }

    private async Task<IReadOnlyList<Binding>> BindingsBetweenAsync(ApiRequest request, string vhost, string source, BindingDestination destination)
    {
        var topology = (await view.TopologiesAsync(vhost, request.User))[0].Topology;
        if (source.Length == 0)
        {
            return destination.Kind == DestinationKind.Queue && topology.Queues.Any(q => q.Declaration.Name == destination.Name)
                ? [ObjectJson.DefaultBinding(destination.Name)]
                : [];
        }

        return topology.Bindings.Where(b => b.Source == source && b.Destination == destination).ToList();
    }
}
