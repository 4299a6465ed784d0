using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansBroker.Tests.Management;

/// <summary>Users, virtual hosts and permissions over the management API, with tags respected, as RabbitMQ 3.10.8 answers.</summary>
public sealed class ManagementAccessTests(ManagementBroker broker) : IClassFixture<ManagementBroker>
{
    [Fact]
    public async Task Users_vhosts_and_permissions_are_made_and_a_management_user_sees_only_its_vhosts()
    {
        var user = $"user-{Guid.NewGuid():N}";
        var vhost = $"vhost-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/users/{user}", """{"password":"secret","tags":"management"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Put($"api/users/{user}", """{"password":"secret","tags":"management"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/vhosts/{vhost}", """{"description":"for tests"}""")).StatusCode);
        var missingUser = await Put($"api/permissions/{vhost}/nobody-{Guid.NewGuid():N}", """{"configure":".*","write":".*","read":".*"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missingUser.StatusCode);
        Assert.Equal("""{"error":"bad_request","reason":"vhost_or_user_not_found"}""", await missingUser.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/permissions/{vhost}/{user}", """{"configure":".*","write":".*","read":".*"}""")).StatusCode);

        var shown = JsonNode.Parse(await broker.Api.GetStringAsync($"api/users/{user}"))!.AsObject();
        Assert.Equal(["name", "password_hash", "hashing_algorithm", "tags", "limits"], shown.Select(p => p.Key));
        Assert.Equal("rabbit_password_hashing_sha256", (string)shown["hashing_algorithm"]!);
        Assert.Equal("management", (string)shown["tags"]![0]!);
        var permission = JsonNode.Parse(await broker.Api.GetStringAsync($"api/permissions/{Uri.EscapeDataString(vhost)}/{user}"))!;
        Assert.Equal(".*", (string)permission["read"]!);

        using var asUser = new HttpClient { BaseAddress = broker.Api.BaseAddress };
        asUser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:secret")));
        Assert.Equal($$"""{"name":"{{user}}","tags":["management"]}""", await asUser.GetStringAsync("api/whoami"));
        var vhosts = (JsonArray)JsonNode.Parse(await asUser.GetStringAsync("api/vhosts"))!;
        Assert.Equal([vhost], vhosts.Select(v => (string)v!["name"]!));
        var users = await asUser.GetAsync("api/users");
        Assert.Equal(HttpStatusCode.Unauthorized, users.StatusCode);
        Assert.Equal("""{"error":"not_authorised","reason":"Not administrator user"}""", await users.Content.ReadAsStringAsync());
        var otherVhost = await asUser.GetAsync("api/queues/%2F");
        Assert.Equal("""{"error":"not_authorised","reason":"User not authorised to access virtual host"}""", await otherVhost.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/permissions/{vhost}/{user}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/vhosts/{vhost}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/users/{user}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await broker.Api.GetAsync($"api/users/{user}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asUser.GetAsync("api/whoami")).StatusCode);
    }

    private Task<HttpResponseMessage> Put(string path, string json) =>
        broker.Api.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
