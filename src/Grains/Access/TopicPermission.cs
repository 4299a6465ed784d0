namespace OrleansBroker.Grains.Access;

/// <summary>
/// What a user may publish to (<see cref="Write"/>) and bind from (<see cref="Read"/>) a topic exchange, as regular
/// expressions matched against routing keys; "{username}" and "{vhost}" in them stand for the connection's user and
/// vhost. A user without a topic permission for an exchange may use every routing key on it (RabbitMQ's rule).
/// Set with rabbitmqctl set_topic_permissions.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.TopicPermission")]
public sealed record TopicPermission(string User, string VirtualHost, string Exchange, string Write, string Read);
