using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// What basic.consume asked of the queue. A consumer is named by its channel (<see cref="ChannelId"/>, unique in
/// the cluster) and its tag. <see cref="Credit"/> is how many deliveries the queue may send it before the channel
/// grants more (see <see cref="CreditGrant"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.ConsumerRegistration")]
public sealed record ConsumerRegistration(string ChannelId, string ConsumerTag, bool NoAck, bool Exclusive, FieldTable Arguments, int Credit);
