namespace OrleansBroker.Client;

/// <summary>What became of one published message.</summary>
[GenerateSerializer, Alias("ob.PublishOutcome")]
public enum PublishOutcome : byte
{
    /// <summary>It reached at least one queue, which took it.</summary>
    Routed,

    /// <summary>
    /// It was published mandatory and reached no queue: AMQP would send it back with basic.return 312 NO_ROUTE.
    /// </summary>
    Returned,

    /// <summary>It was published without mandatory and reached no queue: dropped, as AMQP drops it, silently.</summary>
    Dropped,
}
