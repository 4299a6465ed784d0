namespace OrleansBroker.Grains.Model;

/// <summary>
/// A virtual host's directory in one answer (management listings, definitions export): its exchanges (the default
/// exchange not among them), its queues with owner and home, and every binding, the default exchange's implicit ones not
/// among them.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.VirtualHostTopology")]
public sealed record VirtualHostTopology(ExchangeDeclaration[] Exchanges, QueueListing[] Queues, Binding[] Bindings);

/// <summary>A queue as the virtual host's directory records it.</summary>
[GenerateSerializer, Immutable, Alias("ob.QueueListing")]
public sealed record QueueListing(QueueDeclaration Declaration, string? ExclusiveOwner, string? HomeNode, bool Down);
