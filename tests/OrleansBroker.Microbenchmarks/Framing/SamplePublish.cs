using OrleansBroker.Gateway.Protocol;

namespace OrleansBroker.Microbenchmarks.Framing;

/// <summary>The publish the framing benchmarks read and deliver: a topic exchange, a three-word key, a 16-octet body.</summary>
internal static class SamplePublish
{
    public const string Exchange = "amq.topic";
    public const string RoutingKey = "orders.4.created";

    public static BasicPublish Method { get; } = new(Ticket: 0, Exchange, RoutingKey, Mandatory: false, Immediate: false);

    public static byte[] Body { get; } = "0123456789abcdef"u8.ToArray();
}
