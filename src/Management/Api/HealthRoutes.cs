using System.Net.Sockets;
using System.Text.Json.Nodes;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Management.Api;

/// <summary>/api/aliveness-test/{vhost} and /api/health/checks/* as RabbitMQ 3.10 answers them: {"status":"ok"} or 503 with a reason.</summary>
public sealed class HealthRoutes(BrokerView view, NodeEnvironment environment)
{
    private const string AlivenessQueue = "aliveness-test";

    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "aliveness-test/{vhost}", (r, a) => AlivenessAsync(r, a[0])),
        new("GET", "health/checks/alarms", (r, _) => AlarmsAsync(local: false)),
        new("GET", "health/checks/local-alarms", (r, _) => AlarmsAsync(local: true)),
        new("GET", "health/checks/virtual-hosts", (r, _) => Task.FromResult(Ok())),
        new("GET", "health/checks/node-is-mirror-sync-critical", (r, _) => Task.FromResult(Ok())),
        new("GET", "health/checks/node-is-quorum-critical", (r, _) => Task.FromResult(Ok())),
        new("GET", "health/checks/certificate-expiration/{within}/{unit}", (r, _) => Task.FromResult(Ok())),
        new("GET", "health/checks/port-listener/{port}", (r, a) => PortListenerAsync(a[0])),
        new("GET", "health/checks/protocol-listener/{protocol}", (r, a) => Task.FromResult(ProtocolListener(a[0]))),
    ];

    private static ApiReply Ok() => ApiReply.Ok(new JsonObject { ["status"] = "ok" });

    private static ApiReply Failed(string reason, JsonObject? more = null)
    {
        var body = more ?? new JsonObject();
        body["status"] = "failed";
        body["reason"] = reason;
        return new ApiReply(503, body);
    }

    /// <summary>Declare the aliveness-test queue, publish to it and get the message back, as RabbitMQ does.</summary>
    private async Task<ApiReply> AlivenessAsync(ApiRequest request, string vhost)
    {
        await using var session = await view.OpenSessionAsync(vhost, request.User);
        await session.DeclareQueueAsync(AlivenessQueue, durable: false, exclusive: false, autoDelete: false);
        await session.PublishAsync("", AlivenessQueue, "test_message"u8.ToArray());
        var message = await session.GetAsync(AlivenessQueue, autoAck: true);
        return message is not null ? Ok() : Failed("aliveness-test message not received");
    }

    private async Task<ApiReply> AlarmsAsync(bool local)
    {
        var reports = await view.NodeReportsAsync();
        var alarms = new JsonArray();
        foreach (var report in reports.Where(r => !local || r.Name == view.Nodes.LocalName))
        {
            if (report.MemoryLimit > 0 && report.MemoryUsed > report.MemoryLimit)
            {
                alarms.Add(new JsonObject { ["node"] = report.Name, ["resource"] = "memory" });
            }

            if (report.DiskFree < report.DiskFreeLimit)
            {
                alarms.Add(new JsonObject { ["node"] = report.Name, ["resource"] = "disk" });
            }
        }

        return alarms.Count == 0 ? Ok() : Failed("resource alarm(s) in effect in the cluster", new JsonObject { ["alarms"] = alarms });
    }

    private async Task<ApiReply> PortListenerAsync(string portText)
    {
        if (!int.TryParse(portText, out var port))
        {
            throw ApiException.BadRequest($"Invalid port: {portText}");
        }

        var ports = new[] { environment.AmqpPort, environment.ManagementPort, environment.PrometheusPort };
        if (!ports.Contains(port))
        {
            return Failed($"No active listener on port {port}", new JsonObject { ["missing"] = port, ["ports"] = new JsonArray(ports.OfType<int>().Select(p => (JsonNode?)p).ToArray()) });
        }

        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(5));
            return Ok();
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return Failed($"Port {port} does not accept connections");
        }
    }

    private ApiReply ProtocolListener(string protocol) => protocol switch
    {
        "amqp" or "amqp091" or "amqp0-9-1" => Ok(),
        "http" when environment.ManagementPort is not null => Ok(),
        "http/prometheus" or "prometheus" when environment.PrometheusPort is not null => Ok(),
        _ => Failed($"No active listener for protocol {protocol}", new JsonObject { ["missing"] = protocol }),
    };
}
