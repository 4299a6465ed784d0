using OrleansBroker.Grains.Nodes;

namespace OrleansBroker.Client;

/// <summary>
/// The broker node a session reached: its <see cref="Name"/> (queues the session declares with RabbitMQ's client-local
/// locator, the default, live there) and the <see cref="GatewayId"/> its AMQP gateway names connections with
/// (<see cref="GatewayIds"/>), which a session of grains in that node's silo is named with too.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.GatewayNode")]
public sealed record GatewayNode(string Name, string GatewayId);
