using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A message in one queue: the queue's id for it (increasing in arrival order), the message itself
/// (null while it is paged out to the store), whether it was delivered before, and whether the
/// message store holds it.
/// </summary>
internal readonly record struct QueueEntry(ulong Id, Message? Message, bool Redelivered, bool Stored);
