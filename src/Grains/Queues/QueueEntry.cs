using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Queues;

/// <summary>A message in one queue: the queue's id for it (increasing in arrival order) and whether it was delivered before.</summary>
internal readonly record struct QueueEntry(ulong Id, Message Message, bool Redelivered);
