namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>What a virtual host found when it started: for the startup log.</summary>
[GenerateSerializer, Immutable, Alias("ob.VirtualHostRecovery")]
public readonly record struct VirtualHostRecovery(int Exchanges, int Queues, long Messages, int DroppedTransient);
