namespace OrleansBroker.Grains.Model;

/// <summary>Ready messages and consumers, as queue.declare-ok reports them.</summary>
[GenerateSerializer, Immutable, Alias("ob.QueueCounts")]
public readonly record struct QueueCounts(uint MessageCount, uint ConsumerCount);
