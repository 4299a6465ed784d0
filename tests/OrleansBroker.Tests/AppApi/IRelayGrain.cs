using OrleansBroker.Client;

namespace OrleansBroker.Tests.AppApi;

/// <summary>A grain of an app co-hosted in the broker's silo (<see cref="RelayGrain"/>), as the tests call it.</summary>
[Alias("tests.IRelayGrain")]
public interface IRelayGrain : IGrainWithStringKey
{
    [Alias("Publish")]
    Task<PublishOutcome> Publish(string exchange, string routingKey, string text);

    /// <summary>Take <paramref name="count"/> messages from the queue through a consumer's stream, acked, and return their bodies.</summary>
    [Alias("Take")]
    Task<string[]> Take(string queue, int count);

    /// <summary>Consume the queue with an observer that publishes each message on to the exchange, then acks it.</summary>
    [Alias("StartRelay")]
    Task StartRelay(string queue, string exchange, string routingKey);

    /// <summary>The silo the grain runs in.</summary>
    [Alias("GetSilo")]
    Task<SiloAddress> GetSilo();

    /// <summary>The id of the grain's session with the broker.</summary>
    [Alias("GetSessionId")]
    Task<string> GetSessionId();
}
