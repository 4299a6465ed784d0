namespace OrleansBroker.Grains.Routing;

/// <summary>Reusable output of <see cref="VirtualHostRoutingTable.Route"/>: one per channel, cleared per publish.</summary>
public sealed class RoutingResult
{
    /// <summary>Names of the queues the message goes to, each once.</summary>
    public List<string> Queues { get; } = new();

    public void Clear() => Queues.Clear();
}
