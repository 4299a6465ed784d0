namespace OrleansBroker.Hosting;

/// <summary>
/// Broker settings, bound from the "Broker" configuration section; command-line switches
/// (--amqp-port, --bind, --data-dir) and environment variables (ORLEANSBROKER_Broker__AmqpPort, ...) map onto it.
/// </summary>
public sealed class BrokerOptions
{
    public const string SectionName = "Broker";

    /// <summary>AMQP listener port; 0 picks a free port (tests). Default 5672.</summary>
    public int AmqpPort { get; set; } = 5672;

    /// <summary>
    /// Address to listen on. Default "*": every interface, IPv4 and IPv6 (a dual-mode socket).
    /// An IPv4 or IPv6 literal binds that address only.
    /// </summary>
    public string Bind { get; set; } = "*";

    /// <summary>Directory for durable state and the message store. Default ./data.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>
    /// When set, grain state (exchanges, queues, bindings) goes to this PostgreSQL database instead
    /// of the embedded SQLite file in <see cref="DataDir"/>; message bodies stay in the data directory.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// A PostgreSQL connection string: the node joins the cluster whose membership is in that database, and keeps grain
    /// state there too (unless <see cref="PostgresConnectionString"/> names another). Null: one node on its own.
    /// </summary>
    public string? Cluster { get; set; }

    public bool IsClustered => Cluster is { Length: > 0 };

    /// <summary>This node's name, stable across restarts (a queue's home is a node name). Default orleansbroker@HOST.</summary>
    public string? NodeName { get; set; }

    /// <summary>The IP address other nodes reach this one at (in a cluster); default the host's first non-loopback one.</summary>
    public string? AdvertiseAddress { get; set; }

    /// <summary>
    /// Where a queue declared without a locator argument lives (rabbitmq.conf queue_leader_locator): client-local,
    /// the declaring connection's node (default), or balanced.
    /// </summary>
    public string QueueLeaderLocator { get; set; } = "client-local";

    /// <summary>Port the Orleans silo listens on for other silos; 0 picks a free one on a lone node, 11111 in a cluster.</summary>
    public int SiloPort { get; set; }

    /// <summary>Port the Orleans silo serves client applications on; 0 picks a free one on a lone node, 30000 in a cluster.</summary>
    public int OrleansGatewayPort { get; set; }

    /// <summary>
    /// Run under Kubernetes with Orleans' pod-aware membership (Microsoft.Orleans.Hosting.Kubernetes): a silo whose pod is
    /// deleted is declared dead at once. Needs the pod's name as <see cref="NodeName"/>, POD_NAMESPACE, and the RBAC of
    /// deploy/kubernetes. Default off.
    /// </summary>
    public bool KubernetesHosting { get; set; }

    /// <summary>
    /// Port of the Orleans Dashboard (HTTP, no authentication), on the <see cref="Bind"/> address when that names one, else
    /// on 127.0.0.1 only; 0 picks a free port. Null (default): no dashboard.
    /// </summary>
    public int? DashboardPort { get; set; }

    /// <summary>
    /// Port of the management HTTP API (RabbitMQ's, for rabbitmqadmin, curl and the CLI); 0 picks a free port. Null: off.
    /// The broker executable turns it on at 15672 unless configured ("off" turns it off, see BrokerConfiguration); a
    /// broker started in code (tests) has it off unless it sets one.
    /// </summary>
    public int? ManagementPort { get; set; }

    /// <summary>Port of the Prometheus endpoint (/metrics, /metrics/per-object); as <see cref="ManagementPort"/>, 15692 in the executable.</summary>
    public int? PrometheusPort { get; set; }

    /// <summary>
    /// Bytes of ready messages a queue holds in memory; past it, persistent messages of durable queues
    /// keep only their id in memory and are read back from the message store as they near the head.
    /// Default 32 MiB.
    /// </summary>
    public long QueueResidentBytes { get; set; } = 32L * 1024 * 1024;

    // Resource alarms as RabbitMQ's (rabbitmq.conf vm_memory_high_watermark.*, disk_free_limit.*): read and
    // kept here, not acted on yet.

    /// <summary>Memory alarm threshold as a fraction of available memory (vm_memory_high_watermark.relative). Default 0.4.</summary>
    public double MemoryHighWatermarkRelative { get; set; } = 0.4;

    /// <summary>Memory alarm threshold in bytes (vm_memory_high_watermark.absolute); when set, used instead of the relative one.</summary>
    public long? MemoryHighWatermarkBytes { get; set; }

    /// <summary>Free-disk alarm threshold for the data directory in bytes (disk_free_limit.absolute). Default 50 MB, as RabbitMQ.</summary>
    public long DiskFreeLimitBytes { get; set; } = 50_000_000;

    /// <summary>
    /// Free-disk alarm threshold as a multiple of total memory (disk_free_limit.relative); when set, used instead
    /// of <see cref="DiskFreeLimitBytes"/>.
    /// </summary>
    public double? DiskFreeLimitRelative { get; set; }
}
