namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>What a queue at its length limit does with one more message (x-overflow / policy "overflow").</summary>
public enum QueueOverflow
{
    /// <summary>"drop-head": the oldest messages are dropped (dead-lettered with reason maxlen when a DLX is set).</summary>
    DropHead,

    /// <summary>"reject-publish": the new message is refused (basic.nack to a confirming publisher).</summary>
    RejectPublish,

    /// <summary>"reject-publish-dlx": refused as reject-publish, and dead-lettered with reason maxlen. Classic queues only.</summary>
    RejectPublishDlx,
}
