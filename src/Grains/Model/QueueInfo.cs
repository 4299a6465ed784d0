using OrleansBroker.Amqp;
using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Grains.Model;

/// <summary>
/// What a queue reports for listings (management API, CLI, metrics): its declaration, where it lives and its depth.
/// <paramref name="Declaration"/> is null for a queue that is not (or no longer) declared; the policy fields are null when
/// none applies.
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
    string? ExclusiveConsumerTag,
    string? Policy,
    string? OperatorPolicy,
    PolicyDefinition? EffectivePolicyDefinition);
