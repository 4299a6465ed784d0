using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using OrleansBroker.Grains.Nodes;

namespace OrleansBroker.Management.Nodes;

/// <summary>
/// A grain keyed by a node's name lives on that node: how the management API reaches what only one node's process
/// holds (its gateway's connections and channels). While the node is down the grain cannot be activated.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.NodePlacement")]
public sealed class NodePlacement : PlacementStrategy
{
    public static NodePlacement Instance { get; } = new();
}

/// <summary>Places the grain with <see cref="NodePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute() : PlacementAttribute(NodePlacement.Instance);

/// <summary>Activates a node grain on the node its key names.</summary>
public sealed class NodePlacementDirector(ClusterNodes nodes) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var name = target.GrainIdentity.Key.ToString()!;
        return nodes.FindActive(name) is { } silo
            ? Task.FromResult(silo)
            : Task.FromException<SiloAddress>(new InvalidOperationException($"node '{name}' is down"));
    }
}
