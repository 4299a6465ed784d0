using System.Text.Json.Nodes;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;

namespace OrleansBroker.Management.Api;

/// <summary>
/// /api/whoami, /api/vhosts, /api/users, /api/permissions, /api/topic-permissions, /api/policies and
/// /api/operator-policies as they read today: the default user and virtual host (ManagementAccess), no policies.
/// Changing users, virtual hosts, permissions and policies waits for their stores: those routes answer 405.
/// </summary>
public sealed class AccessRoutes(BrokerView view)
{
    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "whoami", (r, _) => Task.FromResult(ApiReply.Ok(new JsonObject { ["name"] = r.User.Name, ["tags"] = Tags(r.User.Tags) }))),
        new("GET", "vhosts", (r, _) => VirtualHostsAsync(r)),
        new("GET", "vhosts/{vhost}", (r, a) => VirtualHostAsync(a[0])),
        new("GET", "vhosts/{vhost}/permissions", (r, a) => Permissions(r, p => p.VirtualHost == a[0], a[0])),
        new("GET", "vhosts/{vhost}/topic-permissions", (r, a) => Empty(r, a[0])),
        new("GET", "users", (r, _) => Users(r)),
        new("GET", "users/{name}", (r, a) => User(r, a[0])),
        new("GET", "users/{name}/permissions", (r, a) => Permissions(r, p => p.User == a[0], null)),
        new("GET", "users/{name}/topic-permissions", (r, a) => Empty(r, null)),
        new("GET", "permissions", (r, _) => Permissions(r, _ => true, null)),
        new("GET", "permissions/{vhost}/{user}", (r, a) => Permission(r, a[0], a[1])),
        new("GET", "topic-permissions", (r, _) => Empty(r, null)),
        new("GET", "policies", (r, _) => Empty(r, null)),
        new("GET", "policies/{vhost}", (r, a) => Empty(r, a[0])),
        new("GET", "operator-policies", (r, _) => Empty(r, null)),
        new("GET", "operator-policies/{vhost}", (r, a) => Empty(r, a[0])),
    ];

    private async Task<ApiReply> VirtualHostsAsync(ApiRequest request)
    {
        var queues = await view.QueuesAsync(null);
        return ApiReply.Ok(Listing.Shape(request, view.VirtualHosts().Select(v => VirtualHost(v, queues.Where(q => q.VirtualHost == v).Select(q => q.Info)))));
    }

    private async Task<ApiReply> VirtualHostAsync(string vhost)
    {
        var queues = await view.QueuesAsync(vhost);
        return ApiReply.Ok(VirtualHost(vhost, queues.Select(q => q.Info)));
    }

    private JsonObject VirtualHost(string vhost, IEnumerable<Grains.Model.QueueInfo?> queues)
    {
        var list = queues.OfType<Grains.Model.QueueInfo>().ToList();
        long ready = list.Sum(q => (long)q.MessagesReady), unacked = list.Sum(q => (long)q.MessagesUnacknowledged);
        return new JsonObject
        {
            ["cluster_state"] = new JsonObject(view.Nodes.ActiveNames().Select(n => KeyValuePair.Create(n, (JsonNode?)"running"))),
            ["default_queue_type"] = "undefined",
            ["description"] = vhost == "/" ? "Default virtual host" : "",
            ["messages"] = ready + unacked,
            ["messages_details"] = ObjectJson.Rate(),
            ["messages_ready"] = ready,
            ["messages_ready_details"] = ObjectJson.Rate(),
            ["messages_unacknowledged"] = unacked,
            ["messages_unacknowledged_details"] = ObjectJson.Rate(),
            ["metadata"] = new JsonObject { ["description"] = vhost == "/" ? "Default virtual host" : "", ["tags"] = new JsonArray() },
            ["name"] = vhost,
            ["tags"] = new JsonArray(),
            ["tracing"] = false,
        };
    }

    private Task<ApiReply> Users(ApiRequest request)
    {
        request.RequireAdministrator();
        return Task.FromResult(ApiReply.Ok(Listing.Shape(request, view.Access.Users().Select(UserJson))));
    }

    private Task<ApiReply> User(ApiRequest request, string name)
    {
        request.RequireAdministrator();
        var user = view.Access.Users().FirstOrDefault(u => u.Name == name) ?? throw ApiException.NotFound();
        return Task.FromResult(ApiReply.Ok(UserJson(user)));
    }

    private static JsonObject UserJson(ManagementUser user) => new()
    {
        ["name"] = user.Name,
        ["tags"] = Tags(user.Tags),
        ["limits"] = new JsonObject(),
    };

    private Task<ApiReply> Permissions(ApiRequest request, Func<(string User, string VirtualHost, string Configure, string Write, string Read), bool> filter, string? vhost)
    {
        request.RequireAdministrator();
        view.VirtualHosts(vhost);
        var rows = view.Access.Permissions().Where(filter).Select(PermissionJson);
        return Task.FromResult(ApiReply.Ok(Listing.Shape(request, rows, defaultSort: "")));
    }

    private Task<ApiReply> Permission(ApiRequest request, string vhost, string user)
    {
        request.RequireAdministrator();
        var permission = view.Access.Permissions().Where(p => p.VirtualHost == vhost && p.User == user).Select(PermissionJson).FirstOrDefault();
        return Task.FromResult(ApiReply.Ok(permission ?? throw ApiException.NotFound()));
    }

    private static JsonObject PermissionJson((string User, string VirtualHost, string Configure, string Write, string Read) p) => new()
    {
        ["user"] = p.User,
        ["vhost"] = p.VirtualHost,
        ["configure"] = p.Configure,
        ["write"] = p.Write,
        ["read"] = p.Read,
    };

    private Task<ApiReply> Empty(ApiRequest request, string? vhost)
    {
        view.VirtualHosts(vhost);
        return Task.FromResult(ApiReply.Ok(Listing.Shape(request, [])));
    }

    private static JsonArray Tags(IEnumerable<string> tags) => new(tags.Select(t => (JsonNode?)t).ToArray());
}
