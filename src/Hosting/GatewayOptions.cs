namespace OrleansBroker.Gateway;

/// <summary>
/// AMQP connection limits offered in connection.tune, bound from the "Gateway" configuration
/// section. Defaults are RabbitMQ's. Kept with the configuration (OrleansBroker.Hosting), which maps rabbitmq.conf onto it,
/// under the gateway's namespace.
/// </summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Highest channel number a client may open (rabbitmq.conf channel_max). Default 2047.</summary>
    public ushort ChannelMax { get; set; } = 2047;

    /// <summary>Largest frame, header and end octet included (frame_max). Default 131072.</summary>
    public uint FrameMax { get; set; } = 131072;

    /// <summary>Heartbeat interval in seconds the server proposes (heartbeat); 0 disables. Default 60.</summary>
    public ushort HeartbeatSeconds { get; set; } = 60;

    /// <summary>Largest message body accepted (max_message_size). Default 128 MiB, as RabbitMQ 3.10.</summary>
    public long MaxMessageSize { get; set; } = 128L * 1024 * 1024;

    /// <summary>Time a client has to complete the handshake (handshake_timeout). Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Default user, as RabbitMQ's guest/guest.</summary>
    public string DefaultUser { get; set; } = "guest";

    public string DefaultPassword { get; set; } = "guest";

    /// <summary>
    /// Users who may log in only from a loopback address (rabbitmq.conf loopback_users): comma-separated names, or
    /// "none". Default "guest", as RabbitMQ.
    /// </summary>
    public string LoopbackUsers { get; set; } = "guest";

    /// <summary>
    /// The broker node this gateway runs in, set by the silo that hosts it; null for a gateway node without grains.
    /// Queues declared through it live on this node by default (RabbitMQ's client-local locator).
    /// </summary>
    public string? LocalNode { get; set; }

    /// <summary>
    /// What this gateway's connection ids start with (see OrleansBroker.Grains.Nodes.GatewayIds): set by the silo that
    /// hosts it, so grains can tell when its node died; random for a gateway without a silo.
    /// </summary>
    public string? GatewayId { get; set; }

    /// <summary>Default virtual host, created at start.</summary>
    public string DefaultVirtualHost { get; set; } = "/";

    /// <summary>Most client connections the node accepts (connection_max); null: no limit. Read, not enforced yet.</summary>
    public int? ConnectionMax { get; set; }

    /// <summary>
    /// Time a consumer has to acknowledge a delivery before its channel is closed (consumer_timeout); null: none.
    /// Default 30 minutes, as RabbitMQ 3.10. Read, not enforced yet.
    /// </summary>
    public TimeSpan? ConsumerTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
