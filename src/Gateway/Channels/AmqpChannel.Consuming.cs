using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Queues.Placement;

namespace OrleansBroker.Gateway.Channels;

/// <summary>basic.qos, consume, cancel, get, ack / nack / reject, recover and channel.flow.</summary>
internal sealed partial class AmqpChannel
{
    private void Qos(BasicQos qos)
    {
        if (qos.PrefetchSize != 0)
        {
            throw new AmqpProtocolException(ReplyCode.NotImplemented, $"prefetch_size!=0 ({qos.PrefetchSize})", AmqpMethodIds.BasicQos);
        }

        // RabbitMQ's per_consumer_qos: global=false limits each consumer created afterwards,
        // global=true limits the whole channel.
        lock (_lock)
        {
            if (qos.Global)
            {
                _channelPrefetch = qos.PrefetchCount;

                // A larger (or no) channel-wide limit may let starved consumers go on.
                foreach (var consumer in _consumers.Values)
                {
                    NoteCreditDue(consumer);
                }
            }
            else
            {
                _consumerPrefetch = qos.PrefetchCount;
            }
        }

        _connection.SendMethod(Number, default(BasicQosOk));
        _connection.NoteChannelWork(this);
    }

    private async ValueTask ConsumeAsync(BasicConsume consume)
    {
        var queueName = QueueName(consume.Queue, AmqpMethodIds.BasicConsume);
        if (queueName == Grains.DirectReplyTo.DirectReplyNames.PseudoQueue)
        {
            ConsumeDirectReplyTo(consume);
            return;
        }

        var tag = consume.ConsumerTag.Length > 0 ? consume.ConsumerTag : NewConsumerTag();
        lock (_lock)
        {
            if (_consumers.ContainsKey(tag))
            {
                throw new AmqpProtocolException(ReplyCode.NotAllowed, $"attempt to reuse consumer tag '{tag}'", AmqpMethodIds.BasicConsume);
            }
        }

        _access.ReadQueue(queueName, AmqpMethodIds.BasicConsume);
        var queue = QueueGrain(await VirtualHost.ResolveQueue(queueName, ConnectionId));
        var consumer = new ChannelConsumer(tag, consume.NoAck, _consumerPrefetch, queueName, queue);
        CreditGrant initial;
        lock (_lock)
        {
            _consumers[tag] = consumer;
            initial = Grant(consumer, CreditFor(consumer));
        }

        try
        {
            var registration = new ConsumerRegistration(Id, tag, consume.NoAck, consume.Exclusive, consume.Arguments, initial.Credit);
            var observer = ObserverReference();
            await AtQueueAsync(queueName, async () =>
            {
                await queue.Consume(registration, observer);
                return true;
            });
        }
        catch
        {
            lock (_lock)
            {
                _consumers.Remove(tag);
            }

            throw;
        }

        // consume-ok must precede the first delivery: what arrived before it was held.
        if (!consume.NoWait)
        {
            _connection.SendMethod(Number, new BasicConsumeOk(tag));
        }

        var returned = false;
        lock (_lock)
        {
            consumer.Started = true;
            if (consumer.Held is { } held)
            {
                consumer.Held = null;
                foreach (var delivery in held)
                {
                    if (!(_state == ChannelState.Open && TryWriteDelivery(consumer, delivery)) && !consume.NoAck)
                    {
                        SettlementsFor(queue).Settlements.Add(new Settlement(delivery.MessageId, SettlementKind.Return));
                        returned = true;
                    }
                }
            }

            if (returned)
            {
                SettlementsFor(queue).Credits.Add(Grant(consumer, 0));
                NoteCreditDue(consumer);
            }
        }

        if (returned)
        {
            _connection.NoteChannelWork(this);
        }
    }

    /// <summary>
    /// A call to a queue, retried while unreachable nodes are sorted out (see UnreachableRetry); its home node down is
    /// RabbitMQ's 404. Whether the home is down is asked of the node's membership view; a gateway without grains
    /// asks nobody and passes the failure on.
    /// </summary>
    private ValueTask<T> AtQueueAsync<T>(string queueName, Func<ValueTask<T>> call)
    {
        string? home = null;
        return UnreachableRetry.CallAsync(
            call,
            async () =>
            {
                home = await VirtualHost.GetQueueHome(queueName);
                return home is not null && _connection.Services.Nodes is { } nodes && nodes.FindActive(home) is null;
            },
            () => QueueHomePlacementDirector.QueueHomeDown(home!, queueName, _connection.VirtualHost));
    }

    private async ValueTask CancelAsync(BasicCancel cancel)
    {
        if (TryCancelDirectReplyTo(cancel))
        {
            return;
        }

        ChannelConsumer? consumer;
        lock (_lock)
        {
            _consumers.TryGetValue(cancel.ConsumerTag, out consumer);
        }

        if (consumer is not null)
        {
            // Deliveries the queue sent before it saw the cancel are written before cancel-ok; none follow it.
            await CancelAtQueueAsync(consumer);
            lock (_lock)
            {
                _consumers.Remove(cancel.ConsumerTag);
            }
        }

        if (!cancel.NoWait)
        {
            _connection.SendMethod(Number, new BasicCancelOk(cancel.ConsumerTag));
        }
    }

    private async ValueTask GetAsync(BasicGet get)
    {
        _access.ReadQueue(QueueName(get.Queue, AmqpMethodIds.BasicGet), AmqpMethodIds.BasicGet);
        var queue = QueueGrain(await VirtualHost.ResolveQueue(QueueName(get.Queue, AmqpMethodIds.BasicGet), ConnectionId));
        var result = await AtQueueAsync(QueueName(get.Queue, AmqpMethodIds.BasicGet), () => queue.Get(Id, get.NoAck));

        if (result.Delivery is not { } delivery)
        {
            _connection.SendMethod(Number, new BasicGetEmpty(string.Empty));
            return;
        }

        lock (_lock)
        {
            var tag = ++_nextDeliveryTag;
            if (!get.NoAck)
            {
                _unacked.Add(new UnackedDelivery(tag, queue, delivery.MessageId, null));
            }

            var message = delivery.Message;
            var getOk = new BasicGetOk(tag, delivery.Redelivered, message.Exchange, message.RoutingKey, result.MessageCount);
            _connection.Output.Write(
                new DeliveryFrames<BasicGetOk>(Number, getOk, message, _connection.FrameMax),
                static (output, frames) => frames.Write(output));
        }
    }

    /// <summary>ack / nack / reject: take the deliveries from the unsettled set and queue their settlements for the flush.</summary>
    private void Settle(ulong deliveryTag, bool multiple, SettlementKind kind, uint methodId)
    {
        _taken.Clear();
        lock (_lock)
        {
            if (deliveryTag > _nextDeliveryTag)
            {
                // A tag never issued: nothing is settled, not even the tags below it.
                throw new AmqpProtocolException(ReplyCode.PreconditionFailed, $"unknown delivery tag {deliveryTag}", methodId);
            }

            var found = multiple
                ? (deliveryTag == 0 ? TakeAll() : _unacked.TakeUpTo(deliveryTag, _taken))
                : _unacked.TryTake(deliveryTag, out var single) && Add(single);
            if (!found && !(multiple && deliveryTag == 0))
            {
                throw new AmqpProtocolException(ReplyCode.PreconditionFailed, $"unknown delivery tag {deliveryTag}", methodId);
            }

            if (_transaction is null)
            {
                ReleaseCredit(_taken);
            }
        }

        if (_transaction is not null)
        {
            // Settled at commit: until then the deliveries still count against the prefetch, as in RabbitMQ.
            _transaction.Settlements.Add((kind, _taken.ToList()));
            _taken.Clear();
            _connection.NoteChannelWork(this);
            return;
        }

        QueueSettlements(kind, _taken);
        _taken.Clear();
        _connection.NoteChannelWork(this);

        bool TakeAll()
        {
            _unacked.TakeAll(_taken);
            return true;
        }

        bool Add(in UnackedDelivery delivery)
        {
            _taken.Add(delivery);
            return true;
        }
    }

    private void QueueSettlements(SettlementKind kind, List<UnackedDelivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            SettlementsFor(delivery.Queue).Settlements.Add(new Settlement(delivery.MessageId, kind));
        }
    }

    /// <summary>basic.recover: every unsettled delivery goes back to its queue, redelivered.</summary>
    private async ValueTask RecoverAsync(bool requeue, bool reply)
    {
        if (!requeue)
        {
            throw new AmqpProtocolException(ReplyCode.NotImplemented, "requeue=false", reply ? AmqpMethodIds.BasicRecover : AmqpMethodIds.BasicRecoverAsync);
        }

        _taken.Clear();
        lock (_lock)
        {
            _unacked.TakeAll(_taken);
            ReleaseCredit(_taken);
        }

        QueueSettlements(SettlementKind.Requeue, _taken);
        _taken.Clear();

        // recover-ok goes out before the redeliveries it causes, as RabbitMQ orders them.
        if (reply)
        {
            _connection.SendMethod(Number, default(BasicRecoverOk));
        }

        await FlushAsync();
    }

    private void Flow(ChannelFlow flow)
    {
        if (!flow.Active)
        {
            throw new AmqpProtocolException(ReplyCode.NotImplemented, "active=false", AmqpMethodIds.ChannelFlow);
        }

        _connection.SendMethod(Number, new ChannelFlowOk(true));
    }
}
