using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>The persistent directory of a virtual host: its exchanges and queues.</summary>
public sealed class VirtualHostState
{
    public bool Initialized { get; set; }

    public Dictionary<string, ExchangeDeclaration> Exchanges { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, QueueRecord> Queues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The silos up when the directory was last written. If none of them is up when the directory is activated again,
    /// the whole broker restarted (and what RabbitMQ drops on a restart goes); otherwise the directory only moved to
    /// another node.
    /// </summary>
    public List<string> Silos { get; set; } = new();

    /// <summary>The virtual host's policies (validated, one per name): cluster-wide, as this grain is one per vhost.</summary>
    public List<Policy> Policies { get; set; } = new();

    /// <summary>The virtual host's operator policies.</summary>
    public List<Policy> OperatorPolicies { get; set; } = new();
}

/// <summary>
/// A queue in the directory, the connection that owns it when exclusive, and its home: the node it lives on
/// (<see cref="HomeNode"/>, a name stable across restarts) and that node's silo when it was declared
/// (<see cref="HomeSilo"/>, which changes with every start: a transient queue lives as long as it).
/// Records written before queues had a home have neither.
/// </summary>
public sealed record QueueRecord(QueueDeclaration Declaration, string? ExclusiveOwner)
{
    public string? HomeNode { get; init; }

    public string? HomeSilo { get; init; }
}
