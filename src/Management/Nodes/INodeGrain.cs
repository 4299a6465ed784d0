namespace OrleansBroker.Management.Nodes;

/// <summary>
/// One node's own view (key: the node's name; it lives on that node, <see cref="NodePlacement"/>): its process and its
/// gateway's connections. The management API of any node asks every node's grain, so each shows the whole cluster.
/// </summary>
[Alias("ob.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    [Alias("GetReport")]
    ValueTask<NodeReport> GetReport();

    /// <summary>Close a connection of this node with 320 CONNECTION_FORCED and the reason; false when it has no such connection.</summary>
    [Alias("CloseConnection")]
    ValueTask<bool> CloseConnection(string name, string reason);
}
