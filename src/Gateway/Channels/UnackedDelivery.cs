using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>A delivery the client has not settled yet: which queue and message it was, and which consumer (none for basic.get).</summary>
internal readonly record struct UnackedDelivery(ulong Tag, IQueueGrain Queue, ulong MessageId, ChannelConsumer? Consumer);
