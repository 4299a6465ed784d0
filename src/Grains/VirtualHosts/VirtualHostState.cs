using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>The persistent directory of a virtual host: its exchanges and queues.</summary>
public sealed class VirtualHostState
{
    public bool Initialized { get; set; }

    public Dictionary<string, ExchangeDeclaration> Exchanges { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, QueueRecord> Queues { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A queue in the directory and the connection that owns it, when exclusive.</summary>
public sealed record QueueRecord(QueueDeclaration Declaration, string? ExclusiveOwner);
