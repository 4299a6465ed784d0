using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Grains.Queues;

/// <summary>The persistent part of a queue grain: what it is. Messages are not here (they belong to the message store).</summary>
public sealed class QueueState
{
    public string? VirtualHost { get; set; }

    public QueueDeclaration? Declaration { get; set; }

    public string? ExclusiveOwner { get; set; }

    /// <summary>The node the queue lives on (null: recorded before queues had a home).</summary>
    public string? HomeNode { get; set; }

    /// <summary>The policies the virtual host last applied (null: none, or recorded before queues had policies).</summary>
    public AppliedPolicies? Policies { get; set; }
}
