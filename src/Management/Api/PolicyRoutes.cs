using System.Text.Json.Nodes;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Management.Http;

namespace OrleansBroker.Management.Api;

/// <summary>
/// /api/policies and /api/operator-policies on the virtual hosts' policy stores: listed as RabbitMQ lists them, set
/// (PUT, validated with RabbitMQ's texts) and cleared by policymakers (policies) and administrators (operator policies).
/// </summary>
public sealed class PolicyRoutes(BrokerView view)
{
    public IEnumerable<ApiRoute> Routes()
    {
        foreach (var (path, kind) in new[] { ("policies", PolicyKind.Policy), ("operator-policies", PolicyKind.OperatorPolicy) })
        {
            yield return new("GET", path, (r, _) => ListAsync(r, null, kind));
            yield return new("GET", $"{path}/{{vhost}}", (r, a) => ListAsync(r, a[0], kind));
            yield return new("GET", $"{path}/{{vhost}}/{{name}}", (r, a) => ShowAsync(r, a[0], a[1], kind));
            yield return new("PUT", $"{path}/{{vhost}}/{{name}}", (r, a) => PutAsync(r, a[0], a[1], kind));
            yield return new("DELETE", $"{path}/{{vhost}}/{{name}}", (r, a) => DeleteAsync(r, a[0], a[1], kind));
        }
    }

    public static JsonObject PolicyJson(Policy policy) => new()
    {
        ["vhost"] = policy.VirtualHost,
        ["name"] = policy.Name,
        ["pattern"] = policy.Pattern,
        ["apply-to"] = PolicyApplyToText.Text(policy.ApplyTo),
        ["definition"] = JsonNode.Parse(policy.Definition.ToJson()),
        ["priority"] = policy.Priority,
    };

    /// <summary>Validate a policy from a PUT body or a definitions entry: 400 with RabbitMQ's "Validation failed" text when refused.</summary>
    public static Policy PolicyFromJson(PolicyKind kind, string vhost, string name, JsonObject body)
    {
        PolicyValue? Field(string key) => body[key] is { } node ? PolicyValue.ParseJson(node.ToJsonString()) : null;
        var validation = PolicyValidation.Validate(kind, vhost, name, Field("pattern") ?? PolicyValue.Null.Instance,
            Field("definition") ?? PolicyValue.Null.Instance, Field("priority"), Field("apply-to"));
        return validation.Policy ?? throw ApiException.BadRequest(validation.ErrorText!);
    }

    private async Task<ApiReply> ListAsync(ApiRequest request, string? vhost, PolicyKind kind)
    {
        var vhosts = await view.VirtualHostsAsync(vhost, request.User);
        var policies = await Task.WhenAll(vhosts.Select(v => view.Grains.GetGrain<IVirtualHostGrain>(v).GetPolicies(kind).AsTask()));
        return ApiReply.Ok(Listing.Shape(request, policies.SelectMany(p => p).Select(PolicyJson), defaultSort: ""));
    }

    private async Task<ApiReply> ShowAsync(ApiRequest request, string vhost, string name, PolicyKind kind)
    {
        await view.VirtualHostsAsync(vhost, request.User);
        var policy = (await view.Grains.GetGrain<IVirtualHostGrain>(vhost).GetPolicies(kind)).FirstOrDefault(p => p.Name == name)
            ?? throw ApiException.NotFound();
        return ApiReply.Ok(PolicyJson(policy));
    }

    private async Task<ApiReply> PutAsync(ApiRequest request, string vhost, string name, PolicyKind kind)
    {
        Require(request, kind);
        await view.VirtualHostsAsync(vhost, request.User);
        var policy = PolicyFromJson(kind, vhost, name, await request.ReadBodyAsync());
        var grain = view.Grains.GetGrain<IVirtualHostGrain>(vhost);
        var existed = (await grain.GetPolicies(kind)).Any(p => p.Name == name);
        await QueueRoutes.Call(() => grain.SetPolicy(policy, kind).AsTask());
        return existed ? ApiReply.NoContent : ApiReply.Created;
    }

    private async Task<ApiReply> DeleteAsync(ApiRequest request, string vhost, string name, PolicyKind kind)
    {
        Require(request, kind);
        await view.VirtualHostsAsync(vhost, request.User);
        return await view.Grains.GetGrain<IVirtualHostGrain>(vhost).ClearPolicy(name, kind) ? ApiReply.NoContent : throw ApiException.NotFound();
    }

    private static void Require(ApiRequest request, PolicyKind kind)
    {
        if (kind == PolicyKind.OperatorPolicy)
        {
            request.RequireAdministrator();
        }
        else if (!request.User.IsPolicymaker)
        {
            throw ApiException.NotAuthorised("Not policymaker user");
        }
    }
}
