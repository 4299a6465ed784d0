using OrleansBroker.Client;

namespace OrleansClientApp;

/// <summary>
/// The exchange and queues the sample and its AMQP peer (amqp_peer.py) share. Both declare all of them (declaring
/// what exists is a no-op), so either may start first; all are durable, so messages wait for the other side.
/// </summary>
internal static class SampleTopology
{
    /// <summary>Where the Orleans app publishes: a topic exchange.</summary>
    public const string Exchange = "sample.events";

    /// <summary>What the AMQP peer consumes: bound to <see cref="Exchange"/> with "orders.#".</summary>
    public const string FromOrleans = "sample.from-orleans";

    /// <summary>What the AMQP peer publishes to and the Orleans app consumes.</summary>
    public const string ToOrleans = "sample.to-orleans";

    public static async Task DeclareAsync(BrokerSession session)
    {
        await session.DeclareExchangeAsync(Exchange, "topic", durable: true);
        await session.DeclareQueueAsync(FromOrleans, durable: true);
        await session.BindQueueAsync(FromOrleans, Exchange, "orders.#");
        await session.DeclareQueueAsync(ToOrleans, durable: true);
    }
}
