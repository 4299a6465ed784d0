using Orleans.Placement;

namespace OrleansBroker.Grains.Queues.Placement;

/// <summary>
/// A queue lives on its home node, chosen when it is declared, as RabbitMQ's classic queues do: its persistent
/// messages are in that node's message store. Orleans would activate a grain of a dead silo anywhere; this strategy
/// activates a queue only on its home node, and while that node is down the queue is unavailable.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.QueueHomePlacement")]
public sealed class QueueHomePlacement : PlacementStrategy
{
    /// <summary>The request-context key under which the virtual host names the home node while it creates a queue.</summary>
    public const string HomeNodeKey = "ob.home";

    public static QueueHomePlacement Instance { get; } = new();
}

/// <summary>Places the grain with <see cref="QueueHomePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class QueueHomePlacementAttribute() : PlacementAttribute(QueueHomePlacement.Instance);
