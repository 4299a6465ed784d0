namespace OrleansBroker.Silo.Hosting;

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

    /// <summary>Port the Orleans silo listens on for other silos; 0 (default on one node) picks a free port.</summary>
    public int SiloPort { get; set; }

    /// <summary>Port the Orleans silo serves client applications on; 0 (default on one node) picks a free port.</summary>
    public int OrleansGatewayPort { get; set; }

    /// <summary>
    /// Bytes of ready messages a queue holds in memory; past it, persistent messages of durable queues
    /// keep only their id in memory and are read back from the message store as they near the head.
    /// Default 32 MiB.
    /// </summary>
    public long QueueResidentBytes { get; set; } = 32L * 1024 * 1024;
}
