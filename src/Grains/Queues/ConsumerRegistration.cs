using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Queues;

/// <summary>What basic.consume asked of the queue.</summary>
public sealed record ConsumerRegistration(string ConsumerTag, bool NoAck, bool Exclusive, FieldTable Arguments);
