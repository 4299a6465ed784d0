using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Model;

/// <summary>What exchange.declare asked for; compared on redeclare for RabbitMQ's equivalence rule.</summary>
[GenerateSerializer, Immutable, Alias("ob.ExchangeDeclaration")]
public sealed record ExchangeDeclaration(string Name, string Type, bool Durable, bool AutoDelete, bool Internal, FieldTable Arguments);
