using System.Text.Json.Nodes;
using OrleansBroker.Management.Http;
using OrleansBroker.Management.Json;
using OrleansBroker.Management.Nodes;

namespace OrleansBroker.Management.Api;

/// <summary>/api/overview, /api/nodes, /api/cluster-name, /api/extensions.</summary>
public sealed class OverviewRoutes(BrokerView view, NodeEnvironment environment)
{
    /// <summary>The RabbitMQ version whose management API this one answers as (clients check it).</summary>
    public const string RabbitMQVersion = "3.10.8";

    public IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "overview", (r, _) => OverviewAsync(r)),
        new("GET", "nodes", (r, _) => NodesAsync(r)),
        new("GET", "nodes/{name}", (r, a) => NodeAsync(a[0])),
        new("GET", "cluster-name", (r, _) => Task.FromResult(ApiReply.Ok(new JsonObject { ["name"] = ClusterName }))),
        new("GET", "extensions", (r, _) => Task.FromResult(ApiReply.Ok(new JsonArray()))),
    ];

    private string ClusterName => view.Nodes.LocalName;

    private async Task<ApiReply> OverviewAsync(ApiRequest request)
    {
        var queuesTask = view.QueuesAsync(null, request.User);
        var topologiesTask = view.TopologiesAsync(null, request.User);
        var reports = await view.NodeReportsAsync();
        var queues = await queuesTask;
        var topologies = await topologiesTask;
        var ready = queues.Sum(q => (long)(q.Info?.MessagesReady ?? 0));
        var unacked = queues.Sum(q => (long)(q.Info?.MessagesUnacknowledged ?? 0));
        var connections = reports.SelectMany(r => r.Connections).ToList();
        var channels = connections.SelectMany(c => c.Channels).ToList();
        return ApiReply.Ok(new JsonObject
        {
            ["management_version"] = RabbitMQVersion,
            ["rates_mode"] = "none",
            ["exchange_types"] = ExchangeTypes(),
            ["product_version"] = RabbitMQVersion,
            ["product_name"] = "OrleansBroker",
            ["rabbitmq_version"] = RabbitMQVersion,
            ["cluster_name"] = ClusterName,
            ["erlang_version"] = Environment.Version.ToString(),
            ["erlang_full_version"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["disable_stats"] = false,
            ["enable_queue_totals"] = false,
            ["message_stats"] = new JsonObject(),
            ["queue_totals"] = new JsonObject
            {
                ["messages"] = ready + unacked,
                ["messages_details"] = ObjectJson.Rate(),
                ["messages_ready"] = ready,
                ["messages_ready_details"] = ObjectJson.Rate(),
                ["messages_unacknowledged"] = unacked,
                ["messages_unacknowledged_details"] = ObjectJson.Rate(),
            },
            ["object_totals"] = new JsonObject
            {
                ["channels"] = channels.Count,
                ["connections"] = connections.Count,
                ["consumers"] = channels.Sum(c => c.Consumers.Length),
                ["exchanges"] = topologies.Sum(t => t.Topology.Exchanges.Length + 1),
                ["queues"] = queues.Count,
            },
            ["node"] = view.Nodes.LocalName,
            ["listeners"] = Listeners(reports),
            ["contexts"] = environment.ManagementPort is { } port
                ? new JsonArray(new JsonObject { ["node"] = view.Nodes.LocalName, ["description"] = "RabbitMQ Management", ["path"] = "/", ["port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                : new JsonArray(),
        });
    }

    private async Task<ApiReply> NodesAsync(ApiRequest request)
    {
        var reports = await view.NodeReportsAsync();
        return ApiReply.Ok(Listing.Shape(request, reports.Select(Node)));
    }

    private async Task<ApiReply> NodeAsync(string name)
    {
        var report = (await view.NodeReportsAsync()).FirstOrDefault(r => r.Name == name) ?? throw ApiException.NotFound();
        return ApiReply.Ok(Node(report));
    }

    private static JsonObject Node(NodeReport r) => new()
    {
        ["name"] = r.Name,
        ["type"] = "disc",
        ["running"] = true,
        ["os_pid"] = r.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["mem_used"] = r.MemoryUsed,
        ["mem_limit"] = r.MemoryLimit,
        ["mem_alarm"] = r.MemoryUsed > r.MemoryLimit,
        ["disk_free"] = r.DiskFree,
        ["disk_free_limit"] = r.DiskFreeLimit,
        ["disk_free_alarm"] = r.DiskFree < r.DiskFreeLimit,
        ["uptime"] = r.UptimeMilliseconds,
        ["processors"] = r.Processors,
        ["partitions"] = new JsonArray(),
        ["rates_mode"] = "none",
        ["exchange_types"] = ExchangeTypes(),
    };

    private JsonArray Listeners(IReadOnlyList<NodeReport> reports)
    {
        var listeners = new JsonArray();
        foreach (var report in reports)
        {
            listeners.Add(Listener(report.Name, "amqp", report.AmqpPort));
        }

        if (environment.ManagementPort is { } management)
        {
            listeners.Add(Listener(view.Nodes.LocalName, "http", management));
        }

        if (environment.PrometheusPort is { } prometheus)
        {
            listeners.Add(Listener(view.Nodes.LocalName, "http/prometheus", prometheus));
        }

        return listeners;
    }

    private static JsonObject Listener(string node, string protocol, int port) => new()
    {
        ["node"] = node,
        ["protocol"] = protocol,
        ["ip_address"] = "::",
        ["port"] = port,
    };

    private static JsonArray ExchangeTypes() => new(
        new[] { ("direct", "AMQP direct exchange, as per the AMQP specification"), ("fanout", "AMQP fanout exchange, as per the AMQP specification"),
                ("headers", "AMQP headers exchange, as per the AMQP specification"), ("topic", "AMQP topic exchange, as per the AMQP specification") }
            .Select(t => (JsonNode?)new JsonObject { ["name"] = t.Item1, ["description"] = t.Item2, ["enabled"] = true }).ToArray());
}
