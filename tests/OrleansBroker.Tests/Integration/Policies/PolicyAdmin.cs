using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Tests.Infrastructure;

namespace OrleansBroker.Tests.Integration.Policies;

/// <summary>
/// Sets and clears policies of vhost "/" for the integration tests: on our broker through the virtual host grain (the
/// HTTP API and CLI are the operators' side), on an external RabbitMQ through its management API, on the AMQP port
/// plus 10000 as tools/reference-rabbitmq.sh starts it, as guest/guest.
/// </summary>
internal static class PolicyAdmin
{
    private static readonly HttpClient Http = new();

    public static async Task SetAsync(BrokerFixture fixture, string name, string pattern, string applyTo, string definitionJson, int priority = 0)
    {
        if (fixture.IsExternal)
        {
            var body = $"{{\"pattern\":{JsonSerializer.Serialize(pattern)},\"apply-to\":\"{applyTo}\",\"priority\":{priority},\"definition\":{definitionJson}}}";
            using var request = Request(fixture, HttpMethod.Put, name);
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await Http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"PUT policy {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return;
        }

        var validation = PolicyValidation.Validate(
            PolicyKind.Policy, "/", name, new PolicyValue.Text(pattern), PolicyValue.ParseJson(definitionJson),
            new PolicyValue.Integer(priority), new PolicyValue.Text(applyTo));
        Assert.True(validation.IsValid, validation.ErrorText);
        await VirtualHost(fixture).SetPolicy(validation.Policy!, PolicyKind.Policy);
    }

    public static async Task ClearAsync(BrokerFixture fixture, string name)
    {
        if (fixture.IsExternal)
        {
            using var request = Request(fixture, HttpMethod.Delete, name);
            using var response = await Http.SendAsync(request);
            return;
        }

        await VirtualHost(fixture).ClearPolicy(name, PolicyKind.Policy);
    }

    private static IVirtualHostGrain VirtualHost(BrokerFixture fixture) =>
        fixture.Host!.Services.GetRequiredService<IGrainFactory>().GetGrain<IVirtualHostGrain>("/");

    private static HttpRequestMessage Request(BrokerFixture fixture, HttpMethod method, string name)
    {
        var request = new HttpRequestMessage(method, $"http://{fixture.HostName}:{fixture.Port + 10000}/api/policies/%2F/{Uri.EscapeDataString(name)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return request;
    }
}
