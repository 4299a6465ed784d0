namespace OrleansBroker.Grains.Access;

/// <summary>
/// What a user may do in a virtual host: three regular expressions matched (unanchored, as RabbitMQ's re:run) against
/// the names of queues and exchanges: <see cref="Configure"/> (declare, delete), <see cref="Write"/> (publish to an
/// exchange, bind to a queue or exchange), <see cref="Read"/> (consume, get, purge, bind from an exchange).
/// An empty expression matches no name ("^$" in RabbitMQ's words). Set with rabbitmqctl set_permissions.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.UserPermission")]
public sealed record UserPermission(string User, string VirtualHost, string Configure, string Write, string Read)
{
    /// <summary>Everything on every resource: what the default user gets on the default vhost.</summary>
    public static UserPermission Full(string user, string vhost) => new(user, vhost, ".*", ".*", ".*");
}
