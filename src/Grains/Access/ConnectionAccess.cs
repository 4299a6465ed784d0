namespace OrleansBroker.Grains.Access;

/// <summary>
/// What a connection needs to know, once, at connection.open: whether the vhost exists, the user's permissions there
/// (null: none, so the vhost is refused) and topic permissions, and the user's tags. A gateway keeps it for the
/// connection's life, as RabbitMQ's channels cache their checks: a change of permissions applies to new connections.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.ConnectionAccess")]
public sealed record ConnectionAccess(bool VirtualHostExists, UserPermission? Permission, TopicPermission[] TopicPermissions, string[] Tags);
