namespace OrleansBroker.Grains.Access;

/// <summary>
/// Limits of a virtual host (rabbitmqctl set_vhost_limits '{"max-connections": 256, "max-queues": 1024}'); null: no
/// limit (RabbitMQ takes a negative number for that). Kept here, enforced where connections and queues are made.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.VirtualHostLimits")]
public sealed record VirtualHostLimits(int? MaxConnections, int? MaxQueues)
{
    public static readonly VirtualHostLimits None = new(null, null);

    public bool IsEmpty => MaxConnections is null && MaxQueues is null;
}
