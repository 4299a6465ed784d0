namespace OrleansBroker.Grains.Policies;

/// <summary>
/// A policy or operator policy of a virtual host: queues and exchanges whose names match <see cref="Pattern"/> (a
/// regular expression, see <see cref="PolicyPattern"/>) and are of the kind <see cref="ApplyTo"/> says get the
/// settings in <see cref="Definition"/>; of several that match, the highest <see cref="Priority"/> wins. The same
/// record serves both kinds; which kind it is is where it is kept (<see cref="PolicyStore"/>). Build one through
/// <see cref="PolicyValidation"/> so it holds only what RabbitMQ would accept.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.Policy")]
public sealed record Policy(
    string VirtualHost,
    string Name,
    string Pattern,
    PolicyApplyTo ApplyTo,
    int Priority,
    PolicyDefinition Definition);
