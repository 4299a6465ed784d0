using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansBroker.Grains.Access;
using OrleansBroker.Grains.Model;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;

namespace OrleansBroker.Management.Api;

/// <summary>
/// /api/whoami, /api/vhosts, /api/users, /api/permissions, /api/topic-permissions and /api/vhost-limits on the broker's
/// user store: listings as RabbitMQ 3.10 shapes them, changes for administrators only, refusals in its words.
/// </summary>
public sealed class AccessRoutes(BrokerView view)
{
    private IAccessControlGrain Store => view.Access.Store;

    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "whoami", (r, _) => Task.FromResult(ApiReply.Ok(new JsonObject { ["name"] = r.User.Name, ["tags"] = Strings(r.User.Tags) }))),
        new("GET", "vhosts", (r, _) => VirtualHostsAsync(r)),
        new("GET", "vhosts/{vhost}", (r, a) => VirtualHostAsync(r, a[0])),
        new("PUT", "vhosts/{vhost}", (r, a) => PutVirtualHostAsync(r, a[0])),
        new("DELETE", "vhosts/{vhost}", (r, a) => Change(r, Store.DeleteVirtualHost(a[0]))),
        new("GET", "vhosts/{vhost}/permissions", (r, a) => PermissionsAsync(r, null, a[0])),
        new("GET", "vhosts/{vhost}/topic-permissions", (r, a) => TopicPermissionsAsync(r, null, a[0])),
        new("GET", "users", (r, _) => UsersAsync(r)),
        new("GET", "users/{name}", (r, a) => UserAsync(r, a[0])),
        new("PUT", "users/{name}", (r, a) => PutUserAsync(r, a[0])),
        new("DELETE", "users/{name}", (r, a) => Change(r, Store.DeleteUser(a[0]))),
        new("GET", "users/{name}/permissions", (r, a) => PermissionsAsync(r, a[0], null)),
        new("GET", "users/{name}/topic-permissions", (r, a) => TopicPermissionsAsync(r, a[0], null)),
        new("GET", "permissions", (r, _) => PermissionsAsync(r, null, null)),
        new("GET", "permissions/{vhost}/{user}", (r, a) => PermissionAsync(r, a[0], a[1])),
        new("PUT", "permissions/{vhost}/{user}", (r, a) => PutPermissionAsync(r, a[0], a[1])),
        new("DELETE", "permissions/{vhost}/{user}", (r, a) => Change(r, Store.ClearPermissions(a[1], a[0]))),
        new("GET", "topic-permissions", (r, _) => TopicPermissionsAsync(r, null, null)),
        new("GET", "topic-permissions/{vhost}/{user}", (r, a) => TopicPermissionsAsync(r, a[1], a[0])),
        new("PUT", "topic-permissions/{vhost}/{user}", (r, a) => PutTopicPermissionAsync(r, a[0], a[1])),
        new("DELETE", "topic-permissions/{vhost}/{user}", (r, a) => Change(r, Store.ClearTopicPermissions(a[1], a[0], null))),
        new("GET", "vhost-limits", (r, _) => LimitsAsync(r, null)),
        new("GET", "vhost-limits/{vhost}", (r, a) => LimitsAsync(r, a[0])),
        new("PUT", "vhost-limits/{vhost}/{name}", (r, a) => PutLimitAsync(r, a[0], a[1])),
        new("DELETE", "vhost-limits/{vhost}/{name}", (r, a) => DeleteLimitAsync(r, a[0], a[1])),
    ];

    public static JsonObject UserJson(UserRecord user) => new()
    {
        ["name"] = user.Name,
        ["password_hash"] = user.PasswordHash,
        ["hashing_algorithm"] = user.HashingAlgorithm,
        ["tags"] = Strings(user.Tags),
        ["limits"] = new JsonObject(),
    };

    public static JsonObject PermissionJson(UserPermission p) => new()
    {
        ["user"] = p.User,
        ["vhost"] = p.VirtualHost,
        ["configure"] = p.Configure,
        ["write"] = p.Write,
        ["read"] = p.Read,
    };

    public static JsonObject TopicPermissionJson(TopicPermission p) => new()
    {
        ["user"] = p.User,
        ["vhost"] = p.VirtualHost,
        ["exchange"] = p.Exchange,
        ["write"] = p.Write,
        ["read"] = p.Read,
    };

    /// <summary>A user from a PUT body (or a definitions entry): a password is hashed here, a hash is taken as given.</summary>
    public static UserRecord UserFromJson(string name, JsonObject body)
    {
        var tags = body["tags"] switch
        {
            null => [],
            JsonArray array => array.Select(t => t?.ToString() ?? "").Where(t => t.Length > 0).ToArray(),
            var text => UserTags.Parse(text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : text.ToJsonString()),
        };
        var algorithm = JsonFields.String(body, "hashing_algorithm") ?? PasswordHashing.Sha256;
        if (!PasswordHashing.IsKnown(algorithm))
        {
            throw ApiException.BadRequest($"Unknown hashing algorithm: {algorithm}");
        }

        if (JsonFields.String(body, "password") is { } password)
        {
            return new UserRecord(name, PasswordHashing.Hash(password, algorithm), algorithm, tags);
        }

        if (JsonFields.String(body, "password_hash") is { } hash)
        {
            return new UserRecord(name, hash, algorithm, tags);
        }

        throw ApiException.BadRequest("Must specify tags and either password or password_hash");
    }

    private async Task<ApiReply> VirtualHostsAsync(ApiRequest request)
    {
        // Monitoring users list every vhost; others those they have permissions on.
        var names = request.User.IsMonitor ? await view.Access.VirtualHostsAsync() : await view.Access.VisibleVirtualHostsAsync(request.User);
        var records = (await Store.ListVirtualHosts()).Where(v => names.Contains(v.Name)).ToList();
        var queues = await view.QueuesAsync(null, ManagementUser.Internal);
        return ApiReply.Ok(Listing.Shape(request, records.Select(v => VirtualHost(v, queues.Where(q => q.VirtualHost == v.Name).Select(q => q.Info)))));
    }

    private async Task<ApiReply> VirtualHostAsync(ApiRequest request, string vhost)
    {
        var record = await Store.GetVirtualHost(vhost) ?? throw ApiException.NotFound();
        var queues = await view.QueuesAsync(vhost, request.User);
        return ApiReply.Ok(VirtualHost(record, queues.Select(q => q.Info)));
    }

    private async Task<ApiReply> PutVirtualHostAsync(ApiRequest request, string vhost)
    {
        request.RequireAdministrator();
        var body = await request.ReadBodyAsync();
        var existing = await Store.GetVirtualHost(vhost);
        var tags = body["tags"] switch
        {
            null => existing?.Tags ?? [],
            JsonArray array => array.Select(t => t?.ToString() ?? "").ToArray(),
            var text => UserTags.Parse(text.ToString()),
        };
        var record = new VirtualHostRecord(vhost, JsonFields.String(body, "description") ?? existing?.Description ?? "", tags, existing?.Limits ?? VirtualHostLimits.None);
        return Reply(await Store.PutVirtualHost(record));
    }

    private JsonObject VirtualHost(VirtualHostRecord vhost, IEnumerable<QueueInfo?> queues)
    {
        var list = queues.OfType<QueueInfo>().ToList();
        long ready = list.Sum(q => (long)q.MessagesReady), unacked = list.Sum(q => (long)q.MessagesUnacknowledged);
        return new JsonObject
        {
            ["cluster_state"] = new JsonObject(view.Nodes.ActiveNames().Select(n => KeyValuePair.Create(n, (JsonNode?)"running"))),
            ["default_queue_type"] = "undefined",
            ["description"] = vhost.Description,
            ["messages"] = ready + unacked,
            ["messages_details"] = ObjectJson.Rate(),
            ["messages_ready"] = ready,
            ["messages_ready_details"] = ObjectJson.Rate(),
            ["messages_unacknowledged"] = unacked,
            ["messages_unacknowledged_details"] = ObjectJson.Rate(),
            ["metadata"] = new JsonObject { ["description"] = vhost.Description, ["tags"] = Strings(vhost.Tags) },
            ["name"] = vhost.Name,
            ["tags"] = Strings(vhost.Tags),
            ["tracing"] = false,
        };
    }

    private async Task<ApiReply> UsersAsync(ApiRequest request)
    {
        request.RequireAdministrator();
        return ApiReply.Ok(Listing.Shape(request, (await Store.ListUsers()).Select(UserJson)));
    }

    private async Task<ApiReply> UserAsync(ApiRequest request, string name)
    {
        request.RequireAdministrator();
        return ApiReply.Ok(UserJson(await Store.GetUser(name) ?? throw ApiException.NotFound()));
    }

    private async Task<ApiReply> PutUserAsync(ApiRequest request, string name)
    {
        request.RequireAdministrator();
        return Reply(await Store.PutUser(UserFromJson(name, await request.ReadBodyAsync())));
    }

    private async Task<ApiReply> PermissionsAsync(ApiRequest request, string? user, string? vhost)
    {
        request.RequireAdministrator();
        await CheckExistsAsync(user, vhost);
        return ApiReply.Ok(Listing.Shape(request, (await Store.ListPermissions(user, vhost)).Select(PermissionJson), defaultSort: ""));
    }

    private async Task<ApiReply> PermissionAsync(ApiRequest request, string vhost, string user)
    {
        request.RequireAdministrator();
        var permission = (await Store.ListPermissions(user, vhost)).FirstOrDefault() ?? throw ApiException.NotFound();
        return ApiReply.Ok(PermissionJson(permission));
    }

    private async Task<ApiReply> PutPermissionAsync(ApiRequest request, string vhost, string user)
    {
        request.RequireAdministrator();
        var body = await request.ReadBodyAsync();
        string Field(string name) => JsonFields.String(body, name) ?? throw ApiException.BadRequest($"[{{key_missing,{name}}}]");
        var existed = (await Store.ListPermissions(user, vhost)).Length > 0;
        var outcome = await Store.SetPermissions(new UserPermission(user, vhost, Field("configure"), Field("write"), Field("read")));
        return outcome == AccessOutcome.Done && !existed ? ApiReply.Created : Reply(outcome);
    }

    private async Task<ApiReply> TopicPermissionsAsync(ApiRequest request, string? user, string? vhost)
    {
        request.RequireAdministrator();
        await CheckExistsAsync(user, vhost);
        return ApiReply.Ok(Listing.Shape(request, (await Store.ListTopicPermissions(user, vhost)).Select(TopicPermissionJson), defaultSort: ""));
    }

    private async Task<ApiReply> PutTopicPermissionAsync(ApiRequest request, string vhost, string user)
    {
        request.RequireAdministrator();
        var body = await request.ReadBodyAsync();
        string Field(string name) => JsonFields.String(body, name) ?? throw ApiException.BadRequest($"[{{key_missing,{name}}}]");
        var outcome = await Store.SetTopicPermission(new TopicPermission(user, vhost, Field("exchange"), Field("write"), Field("read")));
        return outcome == AccessOutcome.Done ? ApiReply.Created : Reply(outcome);
    }

    private async Task<ApiReply> LimitsAsync(ApiRequest request, string? vhost)
    {
        request.RequireAdministrator();
        var vhosts = await Store.ListVirtualHosts();
        if (vhost is not null && vhosts.All(v => v.Name != vhost))
        {
            throw ApiException.NotFound();
        }

        var rows = vhosts.Where(v => (vhost is null || v.Name == vhost) && !v.Limits.IsEmpty).Select(v => new JsonObject
        {
            ["vhost"] = v.Name,
            ["value"] = LimitsJson(v.Limits),
        });
        return ApiReply.Ok(new JsonArray(rows.ToArray<JsonNode?>()));
    }

    public static JsonObject LimitsJson(VirtualHostLimits limits)
    {
        var json = new JsonObject();
        if (limits.MaxConnections is { } connections)
        {
            json["max-connections"] = connections;
        }

        if (limits.MaxQueues is { } queues)
        {
            json["max-queues"] = queues;
        }

        return json;
    }

    private async Task<ApiReply> PutLimitAsync(ApiRequest request, string vhost, string name)
    {
        request.RequireAdministrator();
        var body = await request.ReadBodyAsync();
        var value = JsonFields.Int(body, "value", int.MinValue);
        if (value == int.MinValue)
        {
            throw ApiException.BadRequest("[{key_missing,value}]");
        }

        var current = (await Store.GetVirtualHost(vhost) ?? throw ApiException.NotFound()).Limits;
        int? limit = value < 0 ? null : value;
        var limits = name switch
        {
            "max-connections" => current with { MaxConnections = limit },
            "max-queues" => current with { MaxQueues = limit },
            _ => throw ApiException.BadRequest($"Validation failed\n\n[{{<<\"{name}\">>,{value}}}] are not recognised virtual host limits"),
        };
        return Reply(await Store.SetVirtualHostLimits(vhost, limits));
    }

    private async Task<ApiReply> DeleteLimitAsync(ApiRequest request, string vhost, string name)
    {
        request.RequireAdministrator();
        var current = (await Store.GetVirtualHost(vhost) ?? throw ApiException.NotFound()).Limits;
        var limits = name switch
        {
            "max-connections" => current with { MaxConnections = null },
            "max-queues" => current with { MaxQueues = null },
            _ => throw ApiException.NotFound(),
        };
        return Reply(await Store.SetVirtualHostLimits(vhost, limits));
    }

    private async Task CheckExistsAsync(string? user, string? vhost)
    {
        if (user is not null && await Store.GetUser(user) is null || vhost is not null && await Store.GetVirtualHost(vhost) is null)
        {
            throw ApiException.NotFound();
        }
    }

    private static async Task<ApiReply> Change(ApiRequest request, ValueTask<AccessOutcome> change)
    {
        request.RequireAdministrator();
        return Reply(await change);
    }

    /// <summary>An outcome as RabbitMQ's API answers it.</summary>
    private static ApiReply Reply(AccessOutcome outcome) => outcome switch
    {
        AccessOutcome.Created => ApiReply.Created,
        AccessOutcome.Done => ApiReply.NoContent,
        AccessOutcome.NoSuchUser or AccessOutcome.NoSuchVirtualHost => throw ApiException.BadRequest("vhost_or_user_not_found"),
        AccessOutcome.InvalidRegex => throw ApiException.BadRequest("invalid_regexp"),
        AccessOutcome.AlreadyExists => ApiReply.NoContent,
        _ => throw ApiException.NotFound(),
    };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(t => (JsonNode?)t).ToArray());
}
