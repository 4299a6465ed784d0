using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Client;

/// <summary>
/// A message a queue handed to the app (a consumer's delivery, or a <see cref="BrokerSession.GetAsync"/>): what an AMQP
/// client sees in basic.deliver or basic.get-ok and the content after it. Unless it was acknowledged automatically, the
/// app settles it once: <see cref="AckAsync"/>, <see cref="RequeueAsync"/> or <see cref="RejectAsync"/>.
/// </summary>
public sealed class DeliveredMessage
{
    private readonly IDeliverySettler? _settler;
    private readonly Message _message;
    private MessageProperties? _properties;
    private int _settled;

    /// <param name="settler">Who settles it; null when it was acknowledged automatically.</param>
    /// <param name="queue">The queue it came from.</param>
    /// <param name="delivery">The queue's delivery.</param>
    internal DeliveredMessage(IDeliverySettler? settler, string queue, in Delivery delivery)
    {
        _settler = settler;
        _message = delivery.Message;
        Queue = queue;
        ConsumerTag = delivery.ConsumerTag;
        Redelivered = delivery.Redelivered;
        QueueMessageId = delivery.MessageId;
    }

    /// <summary>The queue it came from.</summary>
    public string Queue { get; }

    /// <summary>The consumer it was delivered to; "" for a message fetched with <see cref="BrokerSession.GetAsync"/>.</summary>
    public string ConsumerTag { get; }

    /// <summary>The exchange it was published to ("" for the default exchange).</summary>
    public string Exchange => _message.Exchange;

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey => _message.RoutingKey;

    /// <summary>It was delivered before and went back to the queue unacknowledged.</summary>
    public bool Redelivered { get; }

    /// <summary>The content, as published (shared with the broker: read it, do not change it).</summary>
    public ReadOnlyMemory<byte> Body => _message.Body;

    /// <summary>The basic properties as the publisher's content header carried them (property flags first).</summary>
    public ReadOnlyMemory<byte> RawProperties => _message.Properties;

    /// <summary>The basic properties, decoded on first use.</summary>
    public MessageProperties Properties => _properties ??= BasicPropertiesReader.Read(_message.Properties.Span);

    /// <summary>It counted as acknowledged when it was sent: there is nothing to settle.</summary>
    public bool AutoAcknowledged => _settler is null;

    /// <summary>The queue's own id of the message, which settles it.</summary>
    internal ulong QueueMessageId { get; }

    /// <summary>Handed to the app (not only received): one that was not goes back to its queue unmarked when its consumer stops.</summary>
    internal bool Seen { get; set; }

    /// <summary>Done with: the queue forgets it (basic.ack).</summary>
    /// <exception cref="InvalidOperationException">It was acknowledged automatically, settled already, or its consumer stopped (it went back to the queue).</exception>
    public Task AckAsync() => SettleAsync(SettlementKind.Ack);

    /// <summary>Back to the queue, where it was, marked redelivered (basic.reject / nack with requeue).</summary>
    /// <exception cref="InvalidOperationException">As for <see cref="AckAsync"/>.</exception>
    public Task RequeueAsync() => SettleAsync(SettlementKind.Requeue);

    /// <summary>Refused: the queue drops it (basic.reject / nack without requeue).</summary>
    /// <exception cref="InvalidOperationException">As for <see cref="AckAsync"/>.</exception>
    public Task RejectAsync() => SettleAsync(SettlementKind.Discard);

    private Task SettleAsync(SettlementKind kind)
    {
        if (_settler is null)
        {
            throw new InvalidOperationException("the message was acknowledged automatically: there is nothing to settle");
        }

        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            throw new InvalidOperationException("the message was settled already");
        }

        return _settler.SettleAsync(this, kind);
    }
}
