using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Model;

/// <summary>
/// What a queue reports for listings (management API, CLI, metrics): its declaration, where it lives and its depth.
/// <paramref name="Declaration"/> is null for a queue that is not (or no longer) declared.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.QueueInfo")]
public sealed record QueueInfo(
    string VirtualHost,
    string Name,
    QueueDeclaration? Declaration,
    string? ExclusiveOwner,
    string? HomeNode,
    int MessagesReady,
    int MessagesUnacknowledged,
    long MessageBytesReady,
    int Consumers,
    string? ExclusiveConsumerTag);
