namespace OrleansBroker.Grains.Model;

[GenerateSerializer]
public enum SettlementKind : byte
{
    /// <summary>Done with: forget it.</summary>
    Ack,

    /// <summary>Put it back where it was, marked redelivered.</summary>
    Requeue,

    /// <summary>Rejected without requeue: dropped (dead-lettered once that exists).</summary>
    Discard,

    /// <summary>
    /// Offered but never shown to the client (the channel had no room, or was gone): back where it was, not
    /// marked redelivered, and its consumer gets nothing more until it is granted credit again.
    /// </summary>
    Return,
}

/// <summary>What a channel decided about one delivered message.</summary>
[GenerateSerializer, Immutable, Alias("ob.Settlement")]
public readonly record struct Settlement(ulong MessageId, SettlementKind Kind);
