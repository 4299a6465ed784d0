namespace OrleansBroker.Grains.Model;

/// <summary>The reply to queue.declare: the (possibly server-generated) name and the counts.</summary>
public readonly record struct QueueDeclareResult(string Queue, uint MessageCount, uint ConsumerCount);
