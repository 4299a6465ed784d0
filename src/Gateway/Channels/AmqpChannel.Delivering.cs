using Microsoft.Extensions.Logging;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// Deliveries from queues (on Orleans' threads) and the credit that paces them. A queue sends a consumer only what
/// its credit allows: the prefetch, given back as deliveries are settled, or a window refilled as they reach the
/// socket. The channel-wide prefetch (basic.qos global=true) is kept here: what would pass it goes back to its queue
/// unseen (a Return), and the consumer is granted credit again once acks make room.
/// </summary>
internal sealed partial class AmqpChannel
{
    /// <summary>How long a cancel or close waits for deliveries a queue had already sent.</summary>
    private static readonly TimeSpan DeliveryWaitLimit = TimeSpan.FromSeconds(5);

    // Consumers whose credit must be granted again at the next flush (their deliveries were settled).
    private readonly List<ChannelConsumer> _consumersToCredit = new();

    /// <summary>
    /// Deliveries from one queue to this channel's consumers, in the queue's order: each written as basic.deliver,
    /// held until its consumer's consume-ok, or returned to the queue unseen.
    /// </summary>
    public void OnDeliveries(DeliveryBatch batch)
    {
        List<Settlement>? returned = null;
        List<CreditGrant>? grants = null;
        IQueueGrain? queue = null;
        OutputBatch.Begin();
        try
        {
            lock (_lock)
            {
                ChannelConsumer? consumer = null;
                foreach (var delivery in batch.Deliveries)
                {
                    if (consumer is null || !string.Equals(consumer.ConsumerTag, delivery.ConsumerTag, StringComparison.Ordinal))
                    {
                        if (consumer is not null)
                        {
                            AfterDeliveries(consumer, ref grants);
                        }

                        if (!_consumers.TryGetValue(delivery.ConsumerTag, out consumer))
                        {
                            // Unknown to this channel (never while its queue knows it): give it back unseen. A no-ack
                            // delivery is not the queue's any more, which then ignores the return.
                            (returned ??= new()).Add(new Settlement(delivery.MessageId, SettlementKind.Return));
                            continue;
                        }

                        queue = consumer.Queue;
                    }

                    consumer.Received++;
                    if (_state != ChannelState.Open)
                    {
                        // Closing: an acked consumer's deliveries go back to the queue unseen; a no-ack consumer's are
                        // gone, as in RabbitMQ, where the queue counts them delivered once sent.
                        if (!consumer.NoAck)
                        {
                            (returned ??= new()).Add(new Settlement(delivery.MessageId, SettlementKind.Return));
                            consumer.ReturnedSinceGrant = true;
                        }
                    }
                    else if (!consumer.Started)
                    {
                        (consumer.Held ??= new List<Delivery>()).Add(delivery);
                    }
                    else if (!TryWriteDelivery(consumer, delivery))
                    {
                        (returned ??= new()).Add(new Settlement(delivery.MessageId, SettlementKind.Return));
                        consumer.ReturnedSinceGrant = true;
                    }
                }

                if (consumer is not null)
                {
                    AfterDeliveries(consumer, ref grants);
                }
            }
        }
        finally
        {
            OutputBatch.End();
        }

        if (returned is not null || grants is not null)
        {
            queue ??= QueueGrain(GrainKeys.Queue(_connection.VirtualHost, batch.Queue));
            SendInBackground(queue, new SettlementBatch(Id, returned?.ToArray() ?? [], grants?.ToArray() ?? []));
        }
    }

    /// <summary>
    /// After a consumer's share of a batch: stop it if some went back (credit 0 until acks make room), refill a window
    /// running low, and wake a cancel waiting for the last of them. Under the lock.
    /// </summary>
    private void AfterDeliveries(ChannelConsumer consumer, ref List<CreditGrant>? grants)
    {
        if (consumer.ReturnedSinceGrant)
        {
            consumer.ReturnedSinceGrant = false;
            (grants ??= new()).Add(Grant(consumer, 0));
            NoteCreditDue(consumer);
        }
        else if (consumer.UsesWindow && _state == ChannelState.Open && consumer.GrantedLimit - consumer.Received < ChannelConsumer.Window / 2
            && !_connection.Output.IsCongested)
        {
            (grants ??= new()).Add(Grant(consumer, ChannelConsumer.Window));
        }

        if (consumer.AllReceived is { } waiter && consumer.Received >= consumer.ExpectedDeliveries)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>The queue was deleted under a consumer: tell the client (consumer_cancel_notify).</summary>
    public void OnConsumerQueueDeleted(string consumerTag, long delivered)
    {
        lock (_lock)
        {
            if (!_consumers.Remove(consumerTag, out var consumer))
            {
                return;
            }

            consumer.AllReceived?.TrySetResult();
            if (_state != ChannelState.Open)
            {
                return;
            }
        }

        if (_connection.HasClientCapability("consumer_cancel_notify"))
        {
            _connection.SendMethod(Number, new BasicCancel(consumerTag, true));
        }
    }

    /// <summary>The queue's home node went down: its consumers here are cancelled; their deliveries stay unsettled, and acks of them do nothing.</summary>
    public void CancelConsumersOf(string queue)
    {
        List<string>? cancelled = null;
        lock (_lock)
        {
            foreach (var consumer in _consumers.Values)
            {
                if (string.Equals(consumer.QueueName, queue, StringComparison.Ordinal))
                {
                    (cancelled ??= new()).Add(consumer.ConsumerTag);
                }
            }
        }

        foreach (var tag in cancelled ?? [])
        {
            OnConsumerQueueDeleted(tag, 0);
        }
    }

    /// <summary>Output drained: consumers whose window ran low while it was backed up get credit again.</summary>
    public void ResumeRefusedConsumers()
    {
        List<(IQueueGrain Queue, CreditGrant Grant)>? grants = null;
        lock (_lock)
        {
            if (_state != ChannelState.Open || _connection.Output.IsCongested)
            {
                return;
            }

            foreach (var consumer in _consumers.Values)
            {
                if (consumer.Started && consumer.UsesWindow && consumer.GrantedLimit - consumer.Received < ChannelConsumer.Window / 2)
                {
                    (grants ??= new()).Add((consumer.Queue, Grant(consumer, ChannelConsumer.Window)));
                }
            }
        }

        if (grants is not null)
        {
            foreach (var (queue, grant) in grants)
            {
                SendInBackground(queue, new SettlementBatch(Id, [], [grant]));
            }
        }
    }

    /// <summary>Write a delivery as basic.deliver unless the channel-wide prefetch is used up. Under the lock.</summary>
    private bool TryWriteDelivery(ChannelConsumer consumer, in Delivery delivery)
    {
        if (!consumer.NoAck && _channelPrefetch > 0 && _unacked.Live >= _channelPrefetch)
        {
            return false;
        }

        var tag = ++_nextDeliveryTag;
        if (!consumer.NoAck)
        {
            _unacked.Add(new UnackedDelivery(tag, consumer.Queue, delivery.MessageId, consumer));
            consumer.Unacked++;
        }

        var message = delivery.Message;
        var deliver = new BasicDeliver(consumer.ConsumerTag, tag, delivery.Redelivered, message.Exchange, message.RoutingKey);
        _connection.Output.Write(
            new DeliveryFrames<BasicDeliver>(Number, deliver, message, _connection.FrameMax),
            static (output, frames) => frames.Write(output));
        return true;
    }

    /// <summary>The credit a consumer may have now: its prefetch or window, less what it holds, within the channel-wide prefetch. Under the lock.</summary>
    private int CreditFor(ChannelConsumer consumer)
    {
        var credit = consumer.UsesWindow
            ? (_connection.Output.IsCongested ? 0 : ChannelConsumer.Window)
            : consumer.Prefetch - consumer.Unacked - (consumer.Held?.Count ?? 0);
        if (!consumer.NoAck && _channelPrefetch > 0)
        {
            credit = Math.Min(credit, _channelPrefetch - _unacked.Live);
        }

        return Math.Max(credit, 0);
    }

    /// <summary>A grant of <paramref name="credit"/> beyond what the consumer has received. Under the lock.</summary>
    private static CreditGrant Grant(ChannelConsumer consumer, int credit)
    {
        consumer.GrantSequence++;
        consumer.GrantedLimit = consumer.Received + credit;
        return new CreditGrant(consumer.ConsumerTag, consumer.GrantSequence, consumer.Received, credit);
    }

    /// <summary>These deliveries are settled: they stop counting against their consumers' prefetch. Under the lock.</summary>
    private void ReleaseCredit(List<UnackedDelivery> settled)
    {
        foreach (var delivery in settled)
        {
            if (delivery.Consumer is { } consumer)
            {
                consumer.Unacked--;
            }
        }

        CreditSettledConsumers(settled);
    }

    /// <summary>Deliveries of these consumers were settled: their credit is granted again at the flush. Under the lock.</summary>
    private void CreditSettledConsumers(List<UnackedDelivery> settled)
    {
        if (_channelPrefetch > 0)
        {
            // Room made by any ack is room for every consumer of the channel.
            foreach (var consumer in _consumers.Values)
            {
                NoteCreditDue(consumer);
            }

            return;
        }

        foreach (var delivery in settled)
        {
            if (delivery.Consumer is { } consumer)
            {
                NoteCreditDue(consumer);
            }
        }
    }

    /// <summary>Consumers paced by acks (a prefetch, or the channel-wide one) get credit back at the flush.</summary>
    private void NoteCreditDue(ChannelConsumer consumer)
    {
        var pacedByAcks = !consumer.UsesWindow || (!consumer.NoAck && _channelPrefetch > 0);
        if (pacedByAcks && !consumer.CreditDue)
        {
            consumer.CreditDue = true;
            _consumersToCredit.Add(consumer);
        }
    }

    /// <summary>At the flush: grant the consumers noted by <see cref="CreditSettledConsumers"/> what they may have now.</summary>
    private void QueueCreditGrants()
    {
        lock (_lock)
        {
            foreach (var consumer in _consumersToCredit)
            {
                consumer.CreditDue = false;
                if (_state == ChannelState.Open && consumer.Started && _consumers.ContainsKey(consumer.ConsumerTag)
                    && CreditFor(consumer) is var credit && consumer.Received + credit > consumer.GrantedLimit)
                {
                    SettlementsFor(consumer.Queue).Credits.Add(Grant(consumer, credit));
                }
            }

            _consumersToCredit.Clear();
        }
    }

    /// <summary>Cancel a consumer at its queue and wait (bounded) for the deliveries already on their way.</summary>
    private async ValueTask CancelAtQueueAsync(ChannelConsumer consumer)
    {
        var result = await consumer.Queue.Cancel(Id, consumer.ConsumerTag);
        if (result.Found)
        {
            Task? arrived = null;
            lock (_lock)
            {
                if (consumer.Received < result.Delivered)
                {
                    consumer.ExpectedDeliveries = result.Delivered;
                    consumer.AllReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    arrived = consumer.AllReceived.Task;
                }
            }

            if (arrived is not null)
            {
                await arrived.WaitAsync(DeliveryWaitLimit).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (result.LastConsumerOfAutoDeleteQueue)
        {
            await VirtualHost.QueueUnused(consumer.QueueName);
        }
    }

    /// <summary>A grain call from a queue's thread (credit, returns): nobody awaits it, so failures are logged here.</summary>
    private void SendInBackground(IQueueGrain queue, SettlementBatch batch) => _ = SendAsync(queue, batch);

    private async Task SendAsync(IQueueGrain queue, SettlementBatch batch)
    {
        try
        {
            await queue.Settle(batch);
        }
        catch (Exception e)
        {
            // The queue is gone or the broker stops; its consumers are cancelled by other paths.
            _connection.Services.Logger.LogDebug(e, "credit for channel {Channel} failed", Number);
        }
    }
}
