using OrleansBroker.Amqp;

namespace OrleansBroker.Client;

/// <summary>basic.publish with confirms.</summary>
public sealed partial class BrokerSession
{
    /// <summary>
    /// Publish a message to <paramref name="exchange"/> with <paramref name="routingKey"/> (basic.publish, then its
    /// confirm): routed exactly as an AMQP publish through the node the session reached (default exchange, bindings of
    /// every exchange type, exchange-to-exchange bindings, alternate exchanges). Completes when every queue it reached
    /// took it (a persistent message in a durable queue once on disk). The body is copied: the caller may reuse it.
    /// </summary>
    /// <param name="exchange">The exchange; "" is the default exchange, which routes to the queue named by the routing key.</param>
    /// <param name="routingKey">The routing key (at most 255 UTF-8 bytes).</param>
    /// <param name="body">The content.</param>
    /// <param name="properties">The basic properties (content type, headers, delivery mode 2 for persistent, correlation id, reply-to, ...); null for none.</param>
    /// <param name="mandatory">Report a message that reaches no queue as <see cref="PublishOutcome.Returned"/>.</param>
    /// <exception cref="Grains.Model.BrokerException">
    /// 404 NOT_FOUND: no such exchange; 403 ACCESS_REFUSED: an internal exchange; 406 PRECONDITION_FAILED: a bad
    /// expiration, or a body larger than the broker takes.
    /// </exception>
    public async Task<PublishOutcome> PublishAsync(
        string exchange, string routingKey, ReadOnlyMemory<byte> body, MessageProperties? properties = null, bool mandatory = false)
    {
        var outcomes = await PublishBatchAsync([Publication.Create(exchange, routingKey, body, properties, mandatory)]);
        return outcomes[0];
    }

    /// <summary>
    /// Publish several messages in one call, in order (messages reaching the same queue are queued in this order): the
    /// outcome of each, in the same order. Nothing is published when one of them is refused.
    /// </summary>
    public async Task<IReadOnlyList<PublishOutcome>> PublishBatchAsync(IReadOnlyCollection<Publication> publications)
    {
        ArgumentNullException.ThrowIfNull(publications);
        ThrowIfDisposed();
        if (publications.Count == 0)
        {
            return [];
        }

        return await Grains.GetGrain<IAppGatewayGrain>(VirtualHost).Publish(new Immutable<Publication[]>(publications.ToArray()));
    }
}
