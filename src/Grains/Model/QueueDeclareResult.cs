namespace OrleansBroker.Grains.Model;

/// <summary>The reply to queue.declare: the (possibly server-generated) name and the counts.</summary>
[GenerateSerializer, Immutable, Alias("ob.QueueDeclareResult")]
public readonly record struct QueueDeclareResult(string Queue, uint MessageCount, uint ConsumerCount);
