namespace OrleansBroker.Grains.Model;

public enum SettlementKind : byte
{
    /// <summary>Done with: forget it.</summary>
    Ack,

    /// <summary>Put it back where it was, marked redelivered.</summary>
    Requeue,

    /// <summary>Rejected without requeue: dropped (dead-lettered once that exists).</summary>
    Discard,
}

/// <summary>What a channel decided about one delivered message.</summary>
public readonly record struct Settlement(ulong MessageId, SettlementKind Kind);
