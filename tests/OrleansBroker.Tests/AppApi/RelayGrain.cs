using System.Text;
using OrleansBroker.Client;

namespace OrleansBroker.Tests.AppApi;

/// <summary>
/// An app's grain hosted in the broker's own silo: it opens a <see cref="BrokerSession"/> on its grain factory, as a
/// co-hosted app would, and publishes, consumes and relays through it.
/// </summary>
public sealed class RelayGrain(RelayedMessages relayed) : Grain, IRelayGrain
{
    private BrokerSession? _session;
    private QueueConsumer? _relay;

    private BrokerSession Session => _session ?? throw new InvalidOperationException("not activated");

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => _session = await BrokerSession.OpenAsync(GrainFactory);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    public Task<PublishOutcome> Publish(string exchange, string routingKey, string text) =>
        Session.PublishAsync(exchange, routingKey, Encoding.UTF8.GetBytes(text));

    public async Task<string[]> Take(string queue, int count)
    {
        var texts = new List<string>();
        using var timeout = new CancellationTokenSource(AppApiBroker.Timeout);
        await foreach (var message in Session.Consume(queue, cancellationToken: timeout.Token))
        {
            texts.Add(Encoding.UTF8.GetString(message.Body.Span));
            await message.AckAsync();
            if (texts.Count == count)
            {
                break;
            }
        }

        return texts.ToArray();
    }

    public async Task StartRelay(string queue, string exchange, string routingKey)
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        _relay = await Session.ConsumeAsync(queue, new RelayObserver(Session, relayed, exchange, routingKey));
    }

    public Task<SiloAddress> GetSilo() => Task.FromResult(GrainContext.Address.SiloAddress!);

    public Task<string> GetSessionId() => Task.FromResult(Session.Id);

    /// <summary>Publishes each message on with its properties, then acks it: what a relay does.</summary>
    private sealed class RelayObserver(BrokerSession session, RelayedMessages relayed, string exchange, string routingKey) : IDeliveryObserver
    {
        public async Task OnDeliveryAsync(DeliveredMessage message, CancellationToken cancellationToken)
        {
            relayed.Add(Encoding.UTF8.GetString(message.Body.Span));
            await session.PublishAsync(exchange, routingKey, message.Body, message.Properties);
            await message.AckAsync();
        }
    }
}
