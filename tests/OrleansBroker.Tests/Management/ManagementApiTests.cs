using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Management;

/// <summary>
/// The management HTTP API with HttpClient, against answers recorded from RabbitMQ 3.10.8's management plugin (the
/// reference broker of /work/shared/tools/reference-rabbitmq.sh): field names, status codes and error bodies.
/// </summary>
public sealed class ManagementApiTests(ManagementBroker broker) : IClassFixture<ManagementBroker>
{
    // Fields RabbitMQ 3.10.8 lists for a running classic queue that this broker reports too.
    private static readonly string[] QueueFields =
    [
        "arguments", "auto_delete", "consumers", "durable", "effective_policy_definition", "exclusive", "exclusive_consumer_tag", "memory",
        "message_bytes", "message_bytes_ready", "messages", "messages_details", "messages_ready", "messages_ready_details",
        "messages_unacknowledged", "messages_unacknowledged_details", "name", "node", "operator_policy", "policy", "state", "type", "vhost",
    ];

    private static readonly string[] ConnectionFields =
    [
        "channel_max", "channels", "client_properties", "connected_at", "frame_max", "host", "name", "node", "peer_host", "peer_port", "port",
        "protocol", "ssl", "state", "timeout", "type", "user", "user_provided_name", "vhost",
    ];

    private static readonly string[] BindingFields = ["source", "vhost", "destination", "destination_type", "routing_key", "arguments", "properties_key"];

    [Fact]
    public async Task Requests_without_credentials_or_with_a_wrong_password_are_401_as_RabbitMQ_answers_them()
    {
        using var anonymous = new HttpClient { BaseAddress = broker.Api.BaseAddress };
        var none = await anonymous.GetAsync("api/queues");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("", await none.Content.ReadAsStringAsync());

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:wrong"u8.ToArray()));
        var wrong = await anonymous.GetAsync("api/queues");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("""{"error":"not_authorized","reason":"Login failed"}""", await wrong.Content.ReadAsStringAsync());

        Assert.Equal("""{"name":"guest","tags":["administrator"]}""", await broker.Api.GetStringAsync("api/whoami"));
    }

    [Fact]
    public async Task A_queue_reports_ready_unacked_and_consumers_under_RabbitMQs_field_names()
    {
        var queue = Unique("depth");
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-max-length"] = 10 });
        await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("one"));
        await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("two"));
        await channel.BasicQosAsync(0, 1, false);
        var delivered = new TaskCompletionSource();
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, _) =>
        {
            delivered.TrySetResult();
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        await delivered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var json = await Eventually(() => GetObjectAsync($"api/queues/%2F/{queue}"), q => (int)q["messages_unacknowledged"]! == 1);

        foreach (var field in QueueFields)
        {
            Assert.True(json.ContainsKey(field), $"missing {field}");
        }

        Assert.Equal(2, (int)json["messages"]!);
        Assert.Equal(1, (int)json["messages_ready"]!);
        Assert.Equal(1, (int)json["consumers"]!);
        Assert.Equal("running", (string)json["state"]!);
        Assert.Equal("classic", (string)json["type"]!);
        Assert.Equal("/", (string)json["vhost"]!);
        Assert.True((bool)json["durable"]!);
        Assert.Equal(10, (int)json["arguments"]!["x-max-length"]!);

        var listed = (JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync("api/queues/%2F?columns=name,messages_ready"))!;
        var row = Assert.Single(listed, q => (string)q!["name"]! == queue)!.AsObject();
        Assert.Equal(["name", "messages_ready"], row.Select(p => p.Key));

        var consumers = (JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync("api/consumers"))!;
        var listedConsumer = Assert.Single(consumers, c => (string)c!["queue"]!["name"]! == queue)!;
        Assert.True((bool)listedConsumer["ack_required"]!);
        Assert.Equal(1, (int)listedConsumer["prefetch_count"]!);
    }

    [Fact]
    public async Task Queues_are_declared_deleted_with_if_empty_purged_and_read_over_HTTP()
    {
        var queue = Unique("http");
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/queues/%2F/{queue}", """{"durable":"true","auto_delete":"false","arguments":{}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Put($"api/queues/%2F/{queue}", """{"durable":true}""")).StatusCode);
        var inequivalent = await Put($"api/queues/%2F/{queue}", """{"durable":false}""");
        Assert.Equal(HttpStatusCode.BadRequest, inequivalent.StatusCode);
        Assert.Equal(
            $$"""{"error":"bad_request","reason":"inequivalent arg 'durable' for queue '{{queue}}' in vhost '/': received 'false' but current is 'true'"}""",
            await inequivalent.Content.ReadAsStringAsync());

        var published = await Post("api/exchanges/%2F/amq.default/publish", $$"""{"properties":{"content_type":"text/plain"},"routing_key":"{{queue}}","payload":"hello","payload_encoding":"string"}""");
        Assert.Equal("""{"routed":true}""", await published.Content.ReadAsStringAsync());
        var unrouted = await Post("api/exchanges/%2F/amq.default/publish", """{"properties":{},"routing_key":"no-such-queue","payload":"x","payload_encoding":"string"}""");
        Assert.Equal("""{"routed":false}""", await unrouted.Content.ReadAsStringAsync());

        var notEmpty = await broker.Api.DeleteAsync($"api/queues/%2F/{queue}?if-empty=true");
        Assert.Equal(HttpStatusCode.BadRequest, notEmpty.StatusCode);
        Assert.Equal($$"""{"error":"bad_request","reason":"queue '{{queue}}' in vhost '/' not empty"}""", await notEmpty.Content.ReadAsStringAsync());

        var requeued = (JsonArray)JsonNode.Parse(await (await Post($"api/queues/%2F/{queue}/get", """{"count":5,"ackmode":"ack_requeue_true","encoding":"auto"}""")).Content.ReadAsStringAsync())!;
        var message = Assert.Single(requeued)!;
        Assert.Equal("hello", (string)message["payload"]!);
        Assert.Equal("string", (string)message["payload_encoding"]!);
        Assert.Equal(5, (int)message["payload_bytes"]!);
        Assert.Equal(0, (int)message["message_count"]!);
        Assert.Equal("text/plain", (string)message["properties"]!["content_type"]!);
        Assert.Equal(1, (int)(await GetObjectAsync($"api/queues/%2F/{queue}"))["messages_ready"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/queues/%2F/{queue}/contents")).StatusCode);
        Assert.Equal(0, (int)(await GetObjectAsync($"api/queues/%2F/{queue}"))["messages"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/queues/%2F/{queue}?if-empty=true")).StatusCode);

        var gone = await broker.Api.GetAsync($"api/queues/%2F/{queue}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("""{"error":"Object Not Found","reason":"Not Found"}""", await gone.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bindings_are_made_listed_and_deleted_by_their_properties_key()
    {
        var queue = Unique("bound");
        var exchange = Unique("topics");
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/exchanges/%2F/{exchange}", """{"type":"topic","durable":true}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/queues/%2F/{queue}", "{}")).StatusCode);
        var created = await Post($"api/bindings/%2F/e/{exchange}/q/{queue}", """{"routing_key":"a.#","arguments":{}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.EndsWith("/a.%23", created.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var bindings = (JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync($"api/queues/%2F/{queue}/bindings"))!;
        Assert.Equal(2, bindings.Count);
        var binding = bindings[1]!.AsObject();
        Assert.Equal(BindingFields, binding.Select(p => p.Key));
        Assert.Equal(exchange, (string)binding["source"]!);
        Assert.Equal("a.%23", (string)binding["properties_key"]!);
        Assert.Equal("", (string)bindings[0]!["source"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/bindings/%2F/e/{exchange}/q/{queue}/a.%2523")).StatusCode);
        Assert.Empty((JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync($"api/bindings/%2F/e/{exchange}/q/{queue}"))!);
        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/exchanges/%2F/{exchange}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await broker.Api.GetAsync($"api/exchanges/%2F/{exchange}")).StatusCode);
    }

    [Fact]
    public async Task A_connection_is_listed_and_closed_by_DELETE_with_320_and_the_X_Reason()
    {
        await using var connection = await broker.ConnectAsync("closed-by-api");
        await using var channel = await connection.CreateChannelAsync();
        var closed = new TaskCompletionSource<RabbitMQ.Client.Events.ShutdownEventArgs>();
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };

        var listed = await Eventually(
            async () => (JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync("api/connections"))!,
            all => all.Any(c => (string?)c!["user_provided_name"] == "closed-by-api"));
        var json = listed.Single(c => (string?)c!["user_provided_name"] == "closed-by-api")!.AsObject();
        foreach (var field in ConnectionFields)
        {
            Assert.True(json.ContainsKey(field), $"missing {field}");
        }

        Assert.Equal(1, (int)json["channels"]!);
        Assert.Equal("AMQP 0-9-1", (string)json["protocol"]!);
        var name = (string)json["name"]!;
        Assert.Contains(" -> 127.0.0.1:", name, StringComparison.Ordinal);

        var channels = (JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync($"api/connections/{Uri.EscapeDataString(name)}/channels"))!;
        Assert.Equal($"{name} (1)", (string)Assert.Single(channels)!["name"]!);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(name)}");
        delete.Headers.Add("X-Reason", "bye now");
        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.SendAsync(delete)).StatusCode);

        var shutdown = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(320, shutdown.ReplyCode);
        Assert.Equal("CONNECTION_FORCED - bye now", shutdown.ReplyText);
    }

    [Fact]
    public async Task Listings_page_sort_and_filter_as_RabbitMQ()
    {
        var prefix = Unique("page");
        foreach (var i in Enumerable.Range(1, 5))
        {
            await Put($"api/queues/%2F/{prefix}-{i}", "{}");
        }

        var page = await GetObjectAsync($"api/queues/%2F?page=2&page_size=2&name={prefix}&sort=name&sort_reverse=true&columns=name");
        Assert.Equal(["filtered_count", "item_count", "items", "page", "page_count", "page_size", "total_count"], page.Select(p => p.Key).Order());
        Assert.Equal(5, (int)page["filtered_count"]!);
        Assert.Equal(3, (int)page["page_count"]!);
        Assert.Equal([$"{prefix}-3", $"{prefix}-2"], ((JsonArray)page["items"]!).Select(q => (string)q!["name"]!));

        var regex = (JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync($"api/queues?name=^{prefix}-[12]$&use_regex=true"))!;
        Assert.Equal(2, regex.Count);
    }

    [Fact]
    public async Task Overview_nodes_definitions_aliveness_and_health_checks_answer()
    {
        var overview = await GetObjectAsync("api/overview");
        Assert.Equal("3.10.8", (string)overview["rabbitmq_version"]!);
        Assert.True(overview["object_totals"]!.AsObject().ContainsKey("queues"));
        var node = Assert.Single((JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync("api/nodes"))!)!;
        Assert.True((bool)node["running"]!);
        Assert.Equal("""{"status":"ok"}""", await broker.Api.GetStringAsync("api/aliveness-test/%2F"));
        Assert.Equal("""{"status":"ok"}""", await broker.Api.GetStringAsync("api/health/checks/alarms"));
        Assert.Equal("""{"status":"ok"}""", await broker.Api.GetStringAsync($"api/health/checks/port-listener/{broker.ManagementPort}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await broker.Api.GetAsync("api/health/checks/port-listener/1")).StatusCode);

        var queue = Unique("exported");
        await Put($"api/queues/%2F/{queue}", """{"durable":true,"arguments":{"x-max-length":3}}""");
        var definitions = await GetObjectAsync("api/definitions");
        var exported = Assert.Single((JsonArray)definitions["queues"]!, q => (string)q!["name"]! == queue)!;
        Assert.Equal("""{"name":"QUEUE","vhost":"/","durable":true,"auto_delete":false,"arguments":{"x-max-length":3}}""".Replace("QUEUE", queue, StringComparison.Ordinal), exported.ToJsonString());

        var imported = Unique("imported");
        var import = await Post("api/definitions", $$$"""{"queues":[{"name":"{{{imported}}}","vhost":"/","durable":true,"auto_delete":false,"arguments":{}}],"exchanges":[],"bindings":[]}""");
        Assert.Equal(HttpStatusCode.NoContent, import.StatusCode);
        Assert.True((bool)(await GetObjectAsync($"api/queues/%2F/{imported}"))["durable"]!);
    }

    [Fact]
    public async Task Prometheus_serves_RabbitMQs_metric_names_aggregated_and_per_queue()
    {
        var queue = Unique("metrics");
        await Put($"api/queues/%2F/{queue}", "{}");
        await Post("api/exchanges/%2F/amq.default/publish", $$"""{"properties":{},"routing_key":"{{queue}}","payload":"m","payload_encoding":"string"}""");

        var aggregated = await broker.Metrics.GetAsync("metrics");
        Assert.Equal("text/plain; version=0.0.4", aggregated.Content.Headers.ContentType!.ToString());
        var text = await aggregated.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE rabbitmq_queue_messages_ready gauge\n", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^rabbitmq_queue_messages_ready [1-9]", text);
        Assert.Matches(@"(?m)^rabbitmq_connections \d+$", text);

        var perObject = await broker.Metrics.GetStringAsync("metrics/per-object");
        Assert.Contains($"rabbitmq_queue_messages_ready{{vhost=\"/\",queue=\"{queue}\"}} 1\n", perObject, StringComparison.Ordinal);
        Assert.Contains($"rabbitmq_queue_consumers{{vhost=\"/\",queue=\"{queue}\"}} 0\n", perObject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policies_are_validated_set_listed_and_cleared_as_RabbitMQ()
    {
        var name = Unique("policy");
        var refused = await Put($"api/policies/%2F/{name}", """{"pattern":"^x","definition":{"message-ttl":-1}}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("""{"error":"bad_request","reason":"Validation failed\n\n-1 is not a valid message TTL\n"}""", await refused.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Created, (await Put($"api/policies/%2F/{name}", """{"pattern":"^x","definition":{"message-ttl":100},"priority":1,"apply-to":"queues"}""")).StatusCode);
        var listed = (JsonArray)JsonNode.Parse(await broker.Api.GetStringAsync("api/policies/%2F"))!;
        Assert.Equal(
            $$"""{"vhost":"/","name":"{{name}}","pattern":"^x","apply-to":"queues","definition":{"message-ttl":100},"priority":1}""",
            Assert.Single(listed, p => (string)p!["name"]! == name)!.ToJsonString());
        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/policies/%2F/{name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await broker.Api.DeleteAsync($"api/policies/%2F/{name}")).StatusCode);
    }

    [Fact]
    public async Task A_queue_lists_the_policy_in_force_on_it_and_its_effective_definition()
    {
        var queue = Unique("policed");
        var policy = Unique("policy");
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/queues/%2F/{queue}", """{"durable":false}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put($"api/policies/%2F/{policy}", $$"""{"pattern":"^{{queue}}$","definition":{"max-length":7},"apply-to":"queues"}""")).StatusCode);

        var listed = await Eventually(() => GetObjectAsync($"api/queues/%2F/{queue}"), q => q["policy"] is not null);
        Assert.Equal(policy, (string?)listed["policy"]);
        Assert.Null(listed["operator_policy"]);
        Assert.Equal("""{"max-length":7}""", listed["effective_policy_definition"]!.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await broker.Api.DeleteAsync($"api/policies/%2F/{policy}")).StatusCode);
        var cleared = await Eventually(() => GetObjectAsync($"api/queues/%2F/{queue}"), q => q["policy"] is null);
        Assert.Null(cleared["policy"]);
        Assert.Equal("{}", cleared["effective_policy_definition"]!.ToJsonString());
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private Task<HttpResponseMessage> Put(string path, string json) =>
        broker.Api.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> Post(string path, string json) =>
        broker.Api.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonObject> GetObjectAsync(string path)
    {
        var response = await broker.Api.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }
}
