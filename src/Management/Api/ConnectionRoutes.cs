using System.Text.Json.Nodes;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Management.Api;

/// <summary>/api/connections (and DELETE, closing with 320 and X-Reason), /api/channels, /api/consumers, from every node.</summary>
public sealed class ConnectionRoutes(BrokerView view)
{
    /// <summary>The reason RabbitMQ gives when the DELETE names none.</summary>
    public const string DefaultCloseReason = "Closed via management plugin";

    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "connections", (r, _) => ConnectionsAsync(r, null)),
        new("GET", "vhosts/{vhost}/connections", (r, a) => ConnectionsAsync(r, a[0])),
        new("GET", "connections/{name}", (r, a) => ConnectionAsync(r, a[0])),
        new("DELETE", "connections/{name}", (r, a) => CloseAsync(r, a[0])),
        new("GET", "connections/{name}/channels", (r, a) => ChannelsOfAsync(r, a[0])),
        new("GET", "channels", (r, _) => ChannelsAsync(r, null)),
        new("GET", "vhosts/{vhost}/channels", (r, a) => ChannelsAsync(r, a[0])),
        new("GET", "channels/{name}", (r, a) => ChannelAsync(r, a[0])),
        new("GET", "consumers", (r, _) => ConsumersAsync(r, null)),
        new("GET", "consumers/{vhost}", (r, a) => ConsumersAsync(r, a[0])),
    ];

    private async Task<IEnumerable<(string Node, ConnectionReport Connection)>> ConnectionsOfAsync(ApiRequest request, string? vhost)
    {
        if (vhost is not null)
        {
            await view.VirtualHostsAsync(vhost, request.User);
        }

        var reports = await view.NodeReportsAsync();
        return reports.SelectMany(r => r.Connections.Select(c => (r.Name, c))).Where(c => vhost is null || c.c.VirtualHost == vhost);
    }

    private async Task<ApiReply> ConnectionsAsync(ApiRequest request, string? vhost) =>
        ApiReply.Ok(Listing.Shape(request, (await ConnectionsOfAsync(request, vhost)).Select(c => ObjectJson.Connection(c.Node, c.Connection))));

    private async Task<ApiReply> ConnectionAsync(ApiRequest request, string name)
    {
        var (node, connection) = await FindAsync(request, name);
        return ApiReply.Ok(ObjectJson.Connection(node, connection));
    }

    private async Task<ApiReply> CloseAsync(ApiRequest request, string name)
    {
        var (node, _) = await FindAsync(request, name);
        var reason = request.Context.Request.Headers["X-Reason"].ToString();
        await view.Grains.GetGrain<INodeGrain>(node).CloseConnection(name, reason.Length > 0 ? reason : DefaultCloseReason);
        return ApiReply.NoContent;
    }

    private async Task<ApiReply> ChannelsOfAsync(ApiRequest request, string name)
    {
        var (node, connection) = await FindAsync(request, name);
        return ApiReply.Ok(Listing.Shape(request, connection.Channels.Select(ch => ObjectJson.Channel(node, connection, ch))));
    }

    private async Task<ApiReply> ChannelsAsync(ApiRequest request, string? vhost) =>
        ApiReply.Ok(Listing.Shape(request, (await ConnectionsOfAsync(request, vhost))
            .SelectMany(c => c.Connection.Channels.Select(ch => ObjectJson.Channel(c.Node, c.Connection, ch)))));

    private async Task<ApiReply> ChannelAsync(ApiRequest request, string name)
    {
        foreach (var (node, connection) in await ConnectionsOfAsync(request, null))
        {
            foreach (var channel in connection.Channels)
            {
                if (ObjectJson.ChannelName(connection, channel) == name)
                {
                    return ApiReply.Ok(ObjectJson.Channel(node, connection, channel));
                }
            }
        }

        throw ApiException.NotFound();
    }

    private async Task<ApiReply> ConsumersAsync(ApiRequest request, string? vhost) =>
        ApiReply.Ok(Listing.Shape(request, (await ConnectionsOfAsync(request, vhost))
            .SelectMany(c => c.Connection.Channels.SelectMany(ch => ch.Consumers.Select(consumer => ObjectJson.Consumer(c.Node, c.Connection, ch, consumer)))),
            defaultSort: "consumer_tag"));

    private async Task<(string Node, ConnectionReport Connection)> FindAsync(ApiRequest request, string name)
    {
        foreach (var (node, connection) in await ConnectionsOfAsync(request, null))
        {
            if (connection.Name == name)
            {
                return (node, connection);
            }
        }

        throw ApiException.NotFound();
    }
}
