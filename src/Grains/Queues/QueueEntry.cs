using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A message in one queue: the queue's id for it (increasing in arrival order, see <see cref="QueueMessageIds"/>), the
/// message itself (null while it is paged out to the store), whether it was delivered before, and whether the
/// message store holds it; then what the queue's features need: when it expires (Unix milliseconds, 0: never), its
/// priority level, how often it was returned (quorum queues' delivery count) and its body size (length limits).
/// </summary>
internal readonly record struct QueueEntry(
    ulong Id,
    Message? Message,
    bool Redelivered,
    bool Stored,
    long Deadline = 0,
    byte Priority = 0,
    int DeliveryCount = 0,
    int BodySize = 0);
