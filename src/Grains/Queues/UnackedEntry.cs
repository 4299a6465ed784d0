namespace OrleansBroker.Grains.Queues;

/// <summary>A delivered, unsettled message and the consumer it went to (null for basic.get).</summary>
internal readonly record struct UnackedEntry(QueueEntry Entry, ConsumerSlot? Consumer);
