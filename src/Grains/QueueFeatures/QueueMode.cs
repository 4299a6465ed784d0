namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// x-queue-mode / policy "queue-mode" of classic queues. RabbitMQ 3.10's lazy mode moves messages to disk early; this
/// broker accepts and reports it (listings show it) but keeps its one storage strategy either way.
/// </summary>
public enum QueueMode
{
    Default,
    Lazy,
}
