using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway.Connections;

/// <summary>The server-properties table of connection.start, with the capabilities RabbitMQ advertises that we implement.</summary>
internal static class ServerProperties
{
    public static readonly FieldTable Table = new(
    [
        new("capabilities", new FieldTable(
        [
            new("publisher_confirms", true),
            new("exchange_exchange_bindings", true),
            new("basic.nack", true),
            new("consumer_cancel_notify", true),
            new("connection.blocked", true),
            new("authentication_failure_close", true),
            new("per_consumer_qos", true),
        ])),
        new("cluster_name", "orleansbroker@" + Environment.MachineName),
        new("copyright", "Copyright (c) OrleansBroker developers"),
        new("information", "OrleansBroker: an AMQP 0-9-1 broker on the actor model"),
        new("platform", ".NET " + Environment.Version),
        new("product", "OrleansBroker"),
        new("version", typeof(ServerProperties).Assembly.GetName().Version?.ToString(3) ?? "0.1.0"),
    ]);
}
