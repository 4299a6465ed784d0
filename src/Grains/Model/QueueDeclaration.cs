using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Model;

/// <summary>What queue.declare asked for; compared on redeclare for RabbitMQ's equivalence rule.</summary>
[GenerateSerializer, Immutable, Alias("ob.QueueDeclaration")]
public sealed record QueueDeclaration(string Name, bool Durable, bool Exclusive, bool AutoDelete, FieldTable Arguments);
