namespace OrleansBroker.Grains.Access;

/// <summary>
/// A virtual host as the user store knows it (the name, rabbitmqctl add_vhost's description and tags, its limits).
/// Its exchanges and queues are the virtual host grain's.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.VirtualHostRecord")]
public sealed record VirtualHostRecord(string Name, string Description, string[] Tags, VirtualHostLimits Limits)
{
    public static VirtualHostRecord Named(string name) => new(name, string.Empty, [], VirtualHostLimits.None);
}
