namespace OrleansBroker.Grains.Queues;

/// <summary>A delivered, unsettled message, the channel holding it, and the consumer it went to (null for basic.get).</summary>
internal readonly record struct UnackedEntry(QueueEntry Entry, string ChannelId, ConsumerSlot? Consumer);
