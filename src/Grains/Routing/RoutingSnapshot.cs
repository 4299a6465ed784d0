using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// A virtual host's whole routing at one version: its exchanges with their bindings, its queues, and which of them are
/// down (their home node is).
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.RoutingSnapshot")]
public sealed record RoutingSnapshot(Guid Epoch, long Version, ExchangeRoutes[] Exchanges, string[] Queues, string[] DownQueues);

/// <summary>One exchange and the bindings it is the source of.</summary>
[GenerateSerializer, Immutable, Alias("ob.ExchangeRoutes")]
public sealed record ExchangeRoutes(ExchangeDeclaration Declaration, Binding[] Bindings);
