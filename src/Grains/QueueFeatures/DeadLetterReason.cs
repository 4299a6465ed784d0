namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>Why a message is dead-lettered; the x-death "reason" texts are RabbitMQ's.</summary>
public enum DeadLetterReason
{
    /// <summary>"rejected": basic.reject or basic.nack with requeue=false.</summary>
    Rejected,

    /// <summary>"expired": its TTL ran out.</summary>
    Expired,

    /// <summary>"maxlen": dropped from the head of a full queue (drop-head), or refused by reject-publish-dlx.</summary>
    MaxLength,

    /// <summary>"delivery_limit": returned more often than a quorum queue's delivery limit allows.</summary>
    DeliveryLimit,
}

/// <summary>The x-death texts of <see cref="DeadLetterReason"/>.</summary>
public static class DeadLetterReasonText
{
    public static string Text(DeadLetterReason reason) => reason switch
    {
        DeadLetterReason.Rejected => "rejected",
        DeadLetterReason.Expired => "expired",
        DeadLetterReason.MaxLength => "maxlen",
        DeadLetterReason.DeliveryLimit => "delivery_limit",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
