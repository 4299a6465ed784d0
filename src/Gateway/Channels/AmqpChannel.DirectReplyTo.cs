using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.DirectReplyTo;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.DirectReplyTo;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// Direct reply-to, as rabbit_channel 3.10 has it: the channel consumes the pseudo-queue <c>amq.rabbitmq.reply-to</c>
/// (no-ack only, one consumer a channel); its requests' reply_to <c>amq.rabbitmq.reply-to</c> becomes the channel's
/// reply name; a publish to a reply name through the default exchange goes to that channel, from any node, and to no
/// queue (so a mandatory reply comes back NO_ROUTE even when delivered, and a confirm acks, as in RabbitMQ). A reply to
/// a channel that stopped consuming or closed is dropped.
/// </summary>
internal sealed partial class AmqpChannel
{
    // The channel's consumer of amq.rabbitmq.reply-to, if any. Guarded by _lock: replies arrive on other threads.
    private DirectReplyConsumer? _replyConsumer;

    private static bool IsDirectReplyToName(string queue) => queue.StartsWith(DirectReplyNames.PseudoQueue, StringComparison.Ordinal);

    /// <summary>basic.consume of amq.rabbitmq.reply-to, with rabbit_channel's checks in its order.</summary>
    private void ConsumeDirectReplyTo(BasicConsume consume)
    {
        lock (_lock)
        {
            if (_consumers.ContainsKey(consume.ConsumerTag))
            {
                throw new AmqpProtocolException(ReplyCode.NotAllowed, $"attempt to reuse consumer tag '{consume.ConsumerTag}'", AmqpMethodIds.BasicConsume);
            }

            if (!consume.NoAck)
            {
                throw new AmqpProtocolException(ReplyCode.PreconditionFailed, "reply consumer cannot acknowledge", AmqpMethodIds.BasicConsume);
            }

            if (_replyConsumer is not null)
            {
                throw new AmqpProtocolException(ReplyCode.PreconditionFailed, "reply consumer already set", AmqpMethodIds.BasicConsume);
            }
        }

        var tag = consume.ConsumerTag.Length > 0 ? consume.ConsumerTag : NewConsumerTag();
        var key = DirectReplyNames.NewKey();
        var observer = new DirectReplyObserver(this);
        var reference = _connection.Services.Grains.CreateObjectReference<IDirectReplyObserver>(observer);
        var consumer = new DirectReplyConsumer(tag, key, DirectReplyNames.Format(reference.GetGrainId(), key), reference);
        lock (_lock)
        {
            _replyConsumer = consumer;
        }

        // The registry holds the observer strongly (Orleans keeps only a weak reference) until the consumer goes.
        _connection.Services.DirectReplies.Add(key, observer);
        if (!consume.NoWait)
        {
            _connection.SendMethod(Number, new BasicConsumeOk(tag));
        }
    }

    /// <summary>basic.cancel of the reply consumer: replies to its name are dropped from now on.</summary>
    private bool TryCancelDirectReplyTo(BasicCancel cancel)
    {
        lock (_lock)
        {
            if (_replyConsumer is null || !string.Equals(_replyConsumer.ConsumerTag, cancel.ConsumerTag, StringComparison.Ordinal))
            {
                return false;
            }
        }

        ReleaseDirectReplyTo();
        if (!cancel.NoWait)
        {
            _connection.SendMethod(Number, new BasicCancelOk(cancel.ConsumerTag));
        }

        return true;
    }

    /// <summary>The channel stops consuming replies (cancel, close): its name leads nowhere any more.</summary>
    private void ReleaseDirectReplyTo()
    {
        DirectReplyConsumer? consumer;
        lock (_lock)
        {
            consumer = _replyConsumer;
            _replyConsumer = null;
        }

        if (consumer is not null)
        {
            _connection.Services.DirectReplies.Remove(consumer.Key);
            _connection.Services.Grains.DeleteObjectReference<IDirectReplyObserver>(consumer.Reference);
        }
    }

    /// <summary>
    /// queue.declare of amq.rabbitmq.reply-to (which always exists, with one consumer) or of a reply name (which exists
    /// while its channel consumes); anything else with that prefix is 404. Declares are passive in effect, as in RabbitMQ.
    /// </summary>
    private async ValueTask DeclareDirectReplyToAsync(QueueDeclare declare)
    {
        var exists = declare.Queue == DirectReplyNames.PseudoQueue || await ReplyConsumerExistsAsync(declare.Queue);
        if (!exists)
        {
            throw new AmqpProtocolException(ReplyCode.NotFound, $"no queue '{declare.Queue}' in vhost '{_connection.VirtualHost}'", AmqpMethodIds.QueueDeclare);
        }

        _lastDeclaredQueue = declare.Queue;
        if (!declare.NoWait)
        {
            _connection.SendMethod(Number, new QueueDeclareOk(declare.Queue, 0, 1));
        }
    }

    private async ValueTask<bool> ReplyConsumerExistsAsync(string name)
    {
        if (!DirectReplyNames.TryParse(name, out var observer, out var key))
        {
            return false;
        }

        if (_connection.Services.DirectReplies.TryGet(key, out var local))
        {
            return await local.HasReplyConsumer(key);
        }

        try
        {
            return await _connection.Services.Grains.GetGrain<IDirectReplyObserver>(observer).HasReplyConsumer(key).WaitAsync(DeliveryWaitLimit);
        }
        catch (Exception e)
        {
            // The channel, or its node, is gone.
            _connection.Services.Logger.LogDebug("direct reply-to name {Name} not reachable: {Reason}", name, e.Message);
            return false;
        }
    }

    /// <summary>A request asks for a direct reply: its reply_to becomes this channel's reply name (406 when none).</summary>
    private Message WithDirectReplyTo(Message message)
    {
        DirectReplyConsumer? consumer;
        lock (_lock)
        {
            consumer = _replyConsumer;
        }

        if (consumer is null)
        {
            throw new AmqpProtocolException(ReplyCode.PreconditionFailed, "fast reply consumer does not exist", AmqpMethodIds.BasicPublish);
        }

        var content = ReplyToProperty.Replace(message.Properties.Span, message.Body.Span, consumer.ReplyName, out var propertiesLength);
        return new Message(message.Exchange, message.RoutingKey, content.AsMemory(0, propertiesLength), message.Summary, content.AsMemory(propertiesLength));
    }

    /// <summary>
    /// A publish to a reply name through the default exchange: to the channel on this node directly, to one on another
    /// node through Orleans (one-way). A name that names no live consumer drops the reply.
    /// </summary>
    private void DeliverDirectReply(Message message)
    {
        if (!DirectReplyNames.TryParse(message.RoutingKey, out var observer, out var key))
        {
            return;
        }

        if (_connection.Services.DirectReplies.TryGet(key, out var local))
        {
            local.DeliverReply(key, message);
            return;
        }

        _ = DeliverElsewhereAsync(_connection.Services.Grains.GetGrain<IDirectReplyObserver>(observer), key, message);
    }

    private async Task DeliverElsewhereAsync(IDirectReplyObserver channel, string key, Message message)
    {
        try
        {
            await channel.DeliverReply(key, message);
        }
        catch (Exception e)
        {
            _connection.Services.Logger.LogDebug("direct reply to {Name} dropped: {Reason}", message.RoutingKey, e.Message);
        }
    }

    /// <summary>A reply for this channel: basic.deliver to the reply consumer, unless it is gone (then dropped).</summary>
    public void OnDirectReply(string key, Message message)
    {
        lock (_lock)
        {
            if (_state != ChannelState.Open || _replyConsumer is not { } consumer || !string.Equals(consumer.Key, key, StringComparison.Ordinal))
            {
                return;
            }

            // RabbitMQ 3.10 gives a reply the channel's next delivery tag without using it up (no-ack: never settled).
            var deliver = new BasicDeliver(consumer.ConsumerTag, _nextDeliveryTag + 1, false, message.Exchange, message.RoutingKey);
            _connection.Output.Write(
                new DeliveryFrames<BasicDeliver>(Number, deliver, message, _connection.FrameMax),
                static (output, frames) => frames.Write(output));
        }
    }

    public bool HasDirectReplyConsumer(string key)
    {
        lock (_lock)
        {
            return _state == ChannelState.Open && _replyConsumer is { } consumer && string.Equals(consumer.Key, key, StringComparison.Ordinal);
        }
    }
}
