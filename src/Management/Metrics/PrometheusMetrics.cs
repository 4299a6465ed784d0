using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansBroker.Management.Api;
using OrleansBroker.Management.Http;

namespace OrleansBroker.Management.Metrics;

/// <summary>
/// The Prometheus endpoint as RabbitMQ 3.10's rabbitmq_prometheus serves it: <c>/metrics</c> with the cluster's totals
/// (queue metrics summed over every queue, no labels) and <c>/metrics/per-object</c> with a series per queue labelled
/// vhost and queue. Names, types and help texts are RabbitMQ's; this broker has a subset of its metrics (queue depth,
/// consumers, connections, channels, queues, memory and disk, identity).
/// </summary>
public sealed class PrometheusMetrics(BrokerView view)
{
    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.TrimEnd('/') ?? "";
        bool perObject;
        if (path == "/metrics")
        {
            perObject = false;
        }
        else if (path == "/metrics/per-object")
        {
            perObject = true;
        }
        else
        {
            context.Response.StatusCode = 404;
            return;
        }

        var text = await RenderAsync(perObject);
        context.Response.ContentType = "text/plain; version=0.0.4";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    public async Task<string> RenderAsync(bool perObject)
    {
        var queuesTask = view.QueuesAsync(null, ManagementUser.Internal);
        var reports = await view.NodeReportsAsync();
        var queues = (await queuesTask).Where(q => q.Info is not null).ToList();
        var local = reports.FirstOrDefault(r => r.Name == view.Nodes.LocalName);
        var connections = reports.SelectMany(r => r.Connections).ToList();
        var channels = connections.SelectMany(c => c.Channels).ToList();
        var output = new StringBuilder();

        void Gauge(string name, string help, IEnumerable<(string Labels, double Value)> samples)
        {
            output.Append("# TYPE ").Append(name).Append(" gauge\n# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            foreach (var (labels, value) in samples)
            {
                output.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        void QueueGauge(string name, string help, Func<Grains.Model.QueueInfo, double> value)
        {
            Gauge(name, help, perObject
                ? queues.Select(q => ($"{{vhost=\"{Escape(q.VirtualHost)}\",queue=\"{Escape(q.Listing.Declaration.Name)}\"}}", value(q.Info!)))
                : [("", queues.Sum(q => value(q.Info!)))]);
        }

        if (local is not null)
        {
            Gauge("rabbitmq_process_resident_memory_bytes", "Memory used in bytes", [("", local.MemoryUsed)]);
            Gauge("rabbitmq_disk_space_available_bytes", "Disk space available in bytes", [("", local.DiskFree)]);
            Gauge("rabbitmq_resident_memory_limit_bytes", "Memory high watermark in bytes", [("", local.MemoryLimit)]);
            Gauge("rabbitmq_disk_space_available_limit_bytes", "Free disk space low watermark in bytes", [("", local.DiskFreeLimit)]);
        }

        QueueGauge("rabbitmq_queue_messages_ready", "Messages ready to be delivered to consumers", q => q.MessagesReady);
        QueueGauge("rabbitmq_queue_messages_unacked", "Messages delivered to consumers but not yet acknowledged", q => q.MessagesUnacknowledged);
        QueueGauge("rabbitmq_queue_messages", "Sum of ready and unacknowledged messages - total queue depth", q => q.MessagesReady + q.MessagesUnacknowledged);
        QueueGauge("rabbitmq_queue_consumers", "Consumers on a queue", q => q.Consumers);
        QueueGauge("rabbitmq_queue_messages_ready_bytes", "Size in bytes of ready messages", q => q.MessageBytesReady);

        Gauge("rabbitmq_connections", "Connections currently open", [("", connections.Count)]);
        Gauge("rabbitmq_channels", "Channels currently open", [("", channels.Count)]);
        Gauge("rabbitmq_consumers", "Consumers currently connected", [("", channels.Sum(c => c.Consumers.Length))]);
        Gauge("rabbitmq_queues", "Queues available", [("", queues.Count)]);
        Gauge("rabbitmq_build_info", "RabbitMQ & Erlang/OTP version info",
            [($"{{rabbitmq_version=\"{OverviewRoutes.RabbitMQVersion}\",prometheus_plugin_version=\"{OverviewRoutes.RabbitMQVersion}\",prometheus_client_version=\"4.9.1\",erlang_version=\"{Environment.Version}\"}}", 1)]);
        Gauge("rabbitmq_identity_info", "RabbitMQ node & cluster identity info",
            [($"{{rabbitmq_node=\"{Escape(view.Nodes.LocalName)}\",rabbitmq_cluster=\"{Escape(view.Nodes.LocalName)}\"}}", 1)]);
        return output.ToString();
    }

    private static string Escape(string label) => label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
